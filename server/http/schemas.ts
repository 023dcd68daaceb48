// JSON schemas shared by the routes: every id in a path has its shape, so a malformed one is a 400
// before any handler runs.
export const SESSION_ID = { type: 'string', pattern: '^s[a-z2-7]{10}$' } as const;
export const LAB_ID = { type: 'string', minLength: 1, maxLength: 64, pattern: '^[a-z0-9][a-z0-9-]*$' } as const;
export const WORKSHOP_ID = { type: 'string', pattern: '^w[0-9a-f]{12}$' } as const;
export const JOIN_CODE = { type: 'string', minLength: 1, maxLength: 16, pattern: '^[A-Za-z0-9]+$' } as const;

/** `?lang=pt-BR`: a lab's texts in that language where it has them. */
const LANG = { type: 'string', pattern: '^[a-z]{2}(-[A-Z]{2})?$' } as const;
export const langQuery = { type: 'object', properties: { lang: LANG }, additionalProperties: false } as const;
export const tokenLangQuery = { type: 'object', properties: { token: { type: 'string', maxLength: 256 }, lang: LANG } } as const;

/** `?token=` (WebSockets cannot send an Authorization header). */
export const tokenQuery = { type: 'object', properties: { token: { type: 'string', maxLength: 256 } } } as const;

export const sessionParams = { type: 'object', properties: { id: SESSION_ID }, required: ['id'], additionalProperties: false } as const;
export const labParams = { type: 'object', properties: { id: LAB_ID }, required: ['id'], additionalProperties: false } as const;
export const workshopParams = { type: 'object', properties: { id: WORKSHOP_ID }, required: ['id'], additionalProperties: false } as const;
export const stepParams = {
  type: 'object',
  properties: { id: SESSION_ID, n: { type: 'integer', minimum: 1, maximum: 1000 } },
  required: ['id', 'n'],
  additionalProperties: false,
} as const;

/** The bearer token from `Authorization: Bearer x` or, for WebSockets, `?token=x`. */
export function tokenOf(headers: Record<string, string | string[] | undefined>, query: unknown): string | undefined {
  const auth = headers.authorization;
  if (typeof auth === 'string' && auth.startsWith('Bearer ')) return auth.slice(7);
  const q = query as { token?: unknown } | undefined;
  return typeof q?.token === 'string' ? q.token : undefined;
}
