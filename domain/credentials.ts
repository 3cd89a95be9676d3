// A canton's own access rights (NE 3.1, 4.1-4.3): the password rule, the form of a user code
// and of an initial password, the words of the sign-in SMS. Pure rules over the rule set's
// `accessRights.credentials` block; the randomness and the secrets are the callers'.
import type { CredentialRules, Lang } from './profiles';

export type { CredentialRules } from './profiles';

/** A user code: "GU" and 10 digits in two groups ("GU-48213-09377"), no name or number of the person in it. */
export const USER_CODE = /^GU-\d{5}-\d{5}$/;

/** What the typed user code becomes before it is looked up: upper case, no spaces, the dashes put back. */
export function normalUserCode(typed: string): string {
  const digits = typed.toUpperCase().replace(/[^0-9A-Z]/g, '');
  const m = /^GU(\d{5})(\d{5})$/.exec(digits);
  return m ? `GU-${m[1]}-${m[2]}` : typed.trim().toUpperCase();
}

/** A user code from 10 random digits. */
export const userCodeFrom = (digits: string): string => `GU-${digits.slice(0, 5)}-${digits.slice(5, 10)}`;

const KINDS = {
  digit: { test: /\d/, fr: 'un chiffre', de: 'eine Ziffer', en: 'a digit' },
  lower: { test: /\p{Ll}/u, fr: 'une lettre minuscule', de: 'einen Kleinbuchstaben', en: 'a lower-case letter' },
  upper: { test: /\p{Lu}/u, fr: 'une lettre majuscule', de: 'einen Grossbuchstaben', en: 'an upper-case letter' },
} as const;

/**
 * What a new password lacks under the rule (NE 4.2), in the person's language; empty: it is
 * good. `lang` 'en' gives the API's own words.
 */
export function passwordIssues(rules: CredentialRules, password: string, lang: Lang | 'en' = 'en'): string[] {
  const issues: string[] = [];
  const length = [...password].length;
  if (length < rules.password.minLength)
    issues.push(
      lang === 'fr'
        ? `au minimum ${rules.password.minLength} caractères`
        : lang === 'de'
          ? `mindestens ${rules.password.minLength} Zeichen`
          : `at least ${rules.password.minLength} characters`,
    );
  if (length > rules.password.maxLength)
    issues.push(
      lang === 'fr'
        ? `au maximum ${rules.password.maxLength} caractères`
        : lang === 'de'
          ? `höchstens ${rules.password.maxLength} Zeichen`
          : `at most ${rules.password.maxLength} characters`,
    );
  for (const kind of rules.password.needs) if (!KINDS[kind].test.test(password)) issues.push(KINDS[kind][lang]);
  return issues;
}

// No 0/O, 1/l/I: an initial password is typed from a letter.
const ALPHABETS = { digit: '23456789', lower: 'abcdefghijkmnopqrstuvwxyz', upper: 'ABCDEFGHJKLMNPQRSTUVWXYZ' } as const;
const ALL = ALPHABETS.digit + ALPHABETS.lower + ALPHABETS.upper;

/**
 * An initial password of `rules.initialPasswordLength` characters from these random bytes (at
 * least two per character), with one of each kind the rule needs: it passes the rule itself.
 */
export function initialPasswordFrom(rules: CredentialRules, bytes: Uint8Array): string {
  const n = Math.max(rules.initialPasswordLength, rules.password.minLength, rules.password.needs.length);
  if (bytes.length < 2 * n) throw new RangeError(`an initial password of ${n} characters needs ${2 * n} random bytes`);
  const pick = (alphabet: string, i: number) => alphabet[((bytes[2 * i]! << 8) | bytes[2 * i + 1]!) % alphabet.length]!;
  const chars = Array.from({ length: n }, (_, i) => pick(ALL, i));
  // The first characters: one of each kind the rule needs.
  rules.password.needs.forEach((kind, k) => {
    chars[k] = pick(ALPHABETS[kind], k);
  });
  return chars.join('');
}

/** The sign-in SMS (NE 4.1), in the person's language. */
export function secondFactorSms(rules: CredentialRules, lang: Lang, code: string): string {
  return rules.secondFactor.sms[lang].replace('{code}', () => code).replace('{minutes}', () => String(rules.secondFactor.validityMinutes));
}

/** A letter's text with its secret and the counter's name put in. */
export function fillLetter(text: string, values: { counter: string; userCode?: string; password?: string }): string {
  return text
    .replace(/\{counter\}/g, () => values.counter)
    .replace(/\{userCode\}/g, () => values.userCode ?? '')
    .replace(/\{password\}/g, () => values.password ?? '');
}
