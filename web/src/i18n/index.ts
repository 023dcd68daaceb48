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
export function browserLang(langs: readonly string[] = typeof navigator === 'undefined' ? [] : (navigator.languages ?? [navigator.language])): Lang {
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

// The page's language from its first script on: <html lang> says it (screen readers, hyphenation, fonts).
if (typeof document !== 'undefined') document.documentElement.lang = current;

export function lang(): Lang {
  return current;
}

/** Chooses the page's language (remembered); the caller re-renders or reloads. */
export function setLang(l: Lang): void {
  current = l;
  localStorage.setItem(LANG_KEY, l);
  document.documentElement.lang = l;
}

/** `path` with the page's language as ?lang= (the labs API answers in it, or in English). */
export function withLang(path: string): string {
  return `${path}${path.includes('?') ? '&' : '?'}lang=${encodeURIComponent(current)}`;
}

/** The message for `key` in the page's language, with {name} placeholders filled from `vars`. */
export function t(key: MessageKey, vars: Record<string, string | number> = {}): string {
  const text = catalogues[current][key] ?? en[key];
  return text.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
}

/**
 * Fills the static HTML's text from the catalogue: data-i18n (text), data-i18n-html (catalogue
 * HTML, e.g. <kbd>), data-i18n-title, data-i18n-aria-label and data-i18n-placeholder name keys.
 */
export function applyI18n(root: ParentNode = document): void {
  for (const e of root.querySelectorAll<HTMLElement>('[data-i18n]')) e.textContent = t(e.dataset.i18n as MessageKey);
  for (const e of root.querySelectorAll<HTMLElement>('[data-i18n-html]')) e.innerHTML = t(e.dataset.i18nHtml as MessageKey);
  for (const e of root.querySelectorAll<HTMLElement>('[data-i18n-title]')) e.title = t(e.dataset.i18nTitle as MessageKey);
  for (const e of root.querySelectorAll<HTMLElement>('[data-i18n-aria-label]')) e.setAttribute('aria-label', t(e.dataset.i18nAriaLabel as MessageKey));
  for (const e of root.querySelectorAll<HTMLElement>('[data-i18n-placeholder]')) e.setAttribute('placeholder', t(e.dataset.i18nPlaceholder as MessageKey));
}

/**
 * The language picker: a labelled <select> put into `host` (the top bar). A choice is remembered
 * and the page reloads in it; a learner's session re-attaches (it lives in sessionStorage).
 */
export function mountLangPicker(host: HTMLElement, before: Element | null = null): HTMLSelectElement {
  const label = document.createElement('label');
  label.className = 'lang-pick';
  const name = document.createElement('span');
  name.className = 'lang-pick-name';
  name.textContent = t('lang.label');
  const select = document.createElement('select');
  select.id = 'lang';
  for (const l of LANGS) {
    const o = document.createElement('option');
    o.value = l.id;
    o.textContent = l.name;
    // Each language's name is written in that language: a screen reader reads it so.
    o.lang = l.id;
    select.append(o);
  }
  select.value = current;
  select.onchange = () => {
    setLang(select.value as Lang);
    location.reload();
  };
  label.append(name, select);
  host.insertBefore(label, before);
  return select;
}
