// The page's one message catalogue: every string the page shows comes from here, in English (en.ts)
// and Brazilian Portuguese (pt-BR.ts, which must have every key: the type says so). The learner picks
// the language (remembered in the browser); the browser's language is the default. Lab texts follow
// the same choice where a lab ships a translation (?lang= on the labs API).
import en from './en.js';
import ptBR from './pt-BR.js';

export type Lang = 'en' | 'pt-BR';
export type MessageKey = keyof typeof en;
export const LANGS: { id: Lang; name: string }[] = [
  { id: 'en', name: 'English' },
  { id: 'pt-BR', name: 'Português (Brasil)' },
];
const catalogues: Record<Lang, Record<MessageKey, string>> = { en, 'pt-BR': ptBR };
const LANG_KEY = 'isoplay.lang';

/** The browser's preferred languages, mapped onto the ones the page has (Portuguese of any region: pt-BR). */
export function browserLang(langs: readonly string[] = navigator.languages ?? [navigator.language]): Lang {
  for (const l of langs) {
    if (/^pt\b/i.test(l)) return 'pt-BR';
    if (/^en\b/i.test(l)) return 'en';
  }
  return 'en';
}

let current: Lang = (() => {
  const saved = typeof localStorage !== 'undefined' ? localStorage.getItem(LANG_KEY) : null;
  return saved === 'en' || saved === 'pt-BR' ? saved : browserLang();
})();

export function lang(): Lang {
  return current;
}

/** Chooses the page's language (remembered); the caller re-renders or reloads. */
export function setLang(l: Lang): void {
  current = l;
  localStorage.setItem(LANG_KEY, l);
  document.documentElement.lang = l;
}

/** The message for `key` in the page's language, with {name} placeholders filled from `vars`. */
export function t(key: MessageKey, vars: Record<string, string | number> = {}): string {
  const text = catalogues[current][key] ?? en[key];
  return text.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
}
