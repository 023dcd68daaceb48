// The page's message catalogue (web/src/i18n): every English message has a non-empty Brazilian
// Portuguese one with the same {placeholders}, and the browser's language maps onto the page's.
import { describe, expect, it } from 'vitest';
import en from '../../web/src/i18n/en.js';
import ptBR from '../../web/src/i18n/pt-BR.js';
import { browserLang, LANGS } from '../../web/src/i18n/index.js';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
const tags = (s: string) => [...s.matchAll(/<\/?(\w+)/g)].map((m) => m[0]).sort();

describe('the message catalogue', () => {
  it('has every English key in pt-BR, non-empty, and no key English lacks', () => {
    const missing = Object.keys(en).filter((k) => !(ptBR as Record<string, string>)[k]?.trim());
    expect(missing).toEqual([]);
    expect(Object.keys(ptBR).filter((k) => !(k in en))).toEqual([]);
    for (const [k, v] of Object.entries(en)) expect(v.trim(), k).not.toBe('');
  });

  it('keeps the same placeholders and HTML tags in both languages', () => {
    const pt = ptBR as Record<string, string>;
    for (const [k, v] of Object.entries(en)) {
      expect(placeholders(pt[k]), `placeholders of ${k}`).toEqual(placeholders(v));
      expect(tags(pt[k]), `HTML tags of ${k}`).toEqual(tags(v));
    }
  });

  it('offers each language it has a catalogue for', () => {
    expect(LANGS.map((l) => l.id)).toEqual(['en', 'pt-BR']);
  });
});

describe('browserLang', () => {
  it('maps any Portuguese to pt-BR and everything else to English', () => {
    expect(browserLang(['pt-PT'])).toBe('pt-BR');
    expect(browserLang(['pt-BR'])).toBe('pt-BR');
    expect(browserLang(['pt'])).toBe('pt-BR');
    expect(browserLang(['en-US'])).toBe('en');
    expect(browserLang(['fr'])).toBe('en');
    expect(browserLang([])).toBe('en');
  });

  it('takes the first of the browser languages the page has', () => {
    expect(browserLang(['fr-FR', 'pt-BR', 'en'])).toBe('pt-BR');
    expect(browserLang(['de', 'en-GB', 'pt'])).toBe('en');
    // "ptx" is no Portuguese: the match is on the whole primary subtag.
    expect(browserLang(['ptx', 'pt-BR'])).toBe('pt-BR');
  });
});
