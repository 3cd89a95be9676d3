// How a rule set's words are written out: citations in full or short, in French or German,
// from the structured data of `CantonWords` (domain/profiles.ts). Pure; no canton here.
import { profiles, type CantonCode, type CantonWords, type Citation, type CitationKey, type CitedText, type Lang } from './profiles';
import { ruleSetById } from './rule-sets';

export type { Lang } from './profiles';
export const LANGS: readonly Lang[] = ['fr', 'de'];

/** Whose words and in which language a text is written: the process's rule set, the recipient's language. */
export interface Voice {
  ruleSetId: string;
  /** The recipient's language; absent: the rule set's default language. */
  lang?: Lang;
}

/** What a process started before rule sets were pinned speaks: the Jura rule set (DOMAIN.md §6). */
export const LEGACY_VOICE: Voice = { ruleSetId: 'JU-GVS-2013' };

/** The voice of a record's process: its pinned rule set, else its canton's newest (as `ruleSetOf`), else the legacy one. */
export function voiceFor(canton: string | undefined, ruleSetId?: string): Voice {
  return { ruleSetId: ruleSetId ?? (canton ? profiles[canton as CantonCode]?.ruleSet.id : undefined) ?? LEGACY_VOICE.ruleSetId };
}

/** The words and the language of a voice. */
export function voiceOf(voice: Voice): { words: CantonWords; lang: Lang; ruleSetId: string } {
  const words = ruleSetById(voice.ruleSetId).words;
  return { words, lang: voice.lang ?? words.defaultLanguage, ruleSetId: voice.ruleSetId };
}

/** French contractions after "à" and "de": "à le" → "au", "de les" → "des". */
export function afterA(phrase: string): string {
  return `à ${phrase}`.replace(/^à le /, 'au ').replace(/^à les /, 'aux ');
}
export function afterDe(phrase: string): string {
  return `de ${phrase}`.replace(/^de le /, 'du ').replace(/^de les /, 'des ');
}

function text(words: CantonWords, c: Citation): CitedText {
  const t = words.texts[c.text];
  if (!t) throw new RangeError(`citation of an unknown text ${c.text}`);
  return t;
}

/** The text's full name with its abbreviation and number: "le Code de procédure administrative (CPA, RSJU 175.1)". */
export function textName(words: CantonWords, key: string, lang: Lang): string {
  const t = words.texts[key];
  if (!t) throw new RangeError(`unknown text ${key}`);
  const tail = [t.abbr, t.rs].filter((x): x is string => !!x);
  return tail.length > 0 ? `${t.name[lang]} (${tail.join(', ')})` : t.name[lang];
}

function number(c0: Citation, t: CitedText, lang: Lang, form: 'full' | 'short'): string {
  // Two paragraphs ("3 et 4") read "3 und 4" in German, "alinéas 3 et 4" in full French.
  const two = !!c0.paragraph && / et /.test(c0.paragraph);
  const c = { ...c0, paragraph: c0.paragraph && lang === 'de' ? c0.paragraph.replace(' et ', ' und ') : c0.paragraph };
  const ss = c.following ? (lang === 'fr' ? ' ss' : ' ff.') : '';
  if (lang === 'de') {
    const unit = t.numbering === 'point' ? 'Ziff.' : 'Art.';
    return `${unit} ${c.article}${ss}${c.paragraph ? ` Abs. ${c.paragraph}` : ''}${c.letter ? ` Bst. ${c.letter}` : ''}`;
  }
  if (form === 'short') {
    const unit = t.numbering === 'point' ? 'ch.' : 'art.';
    return `${unit} ${c.article}${ss}${c.paragraph ? ` al. ${c.paragraph}` : ''}${c.letter ? ` let. ${c.letter}` : ''}`;
  }
  const unit = t.numbering === 'point' ? 'chiffre' : 'article';
  return `${unit} ${c.article}${ss}${c.paragraph ? `, alinéa${two ? 's' : ''} ${c.paragraph}` : ''}${c.letter ? `, lettre ${c.letter}` : ''}`;
}

/**
 * The citation in full, or null if the rule set's texts have none for this act.
 * French: "article 4, alinéa 6, de l'Ordonnance ... (RSJU 170.42)", with `determiner`
 * "l'article ..." / "le chiffre ..."; German: "Art. 4 Abs. 6 der Verordnung ... (RSJU 170.42)".
 */
export function citeFull(words: CantonWords, key: CitationKey, lang: Lang, o: { determiner?: boolean } = {}): string | null {
  const c = words.citations[key];
  if (!c) return null;
  const t = text(words, c);
  const n = number(c, t, lang, 'full');
  if (lang === 'de') return `${n} ${textName(words, c.text, lang)}`;
  const comma = c.paragraph || c.letter ? ',' : '';
  const body = `${n}${comma} ${afterDe(textName(words, c.text, lang))}`;
  if (!o.determiner) return body;
  return t.numbering === 'point' ? `le ${body}` : `l'${body}`;
}

/** The short citation, or null: "art. 16 al. 4 de l'ordonnance", "ch. 7.2 des conditions générales", "art. 30 LPA". */
export function citeShort(words: CantonWords, key: CitationKey, lang: Lang): string | null {
  const c = words.citations[key];
  if (!c) return null;
  const t = text(words, c);
  const n = number(c, t, lang, 'short');
  if (t.abbr) return `${n} ${t.abbr}`;
  return lang === 'de' ? `${n} ${t.short.de}` : `${n} ${afterDe(t.short.fr)}`;
}

/** " (citation)" or nothing: for a sentence that goes without a citation the rule set lacks. */
export function inParens(citation: string | null): string {
  // No parentheses inside parentheses: "(art. 16, ... sécurisé, RSJU 170.42)".
  return citation ? ` (${citation.replace(/ \(([^()]*)\)$/, ', $1')})` : '';
}
