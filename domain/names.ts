// One person's name as two sources write it (the e-ID, a certificate, what was typed):
// the same name after Unicode NFC, trimming, collapsing inner whitespace and lower case.
const normalised = (s: string) => s.normalize('NFC').trim().replace(/\s+/gu, ' ').toLowerCase();

export const sameName = (a: string, b: string): boolean => normalised(a) === normalised(b);
