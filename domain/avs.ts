/**
 * AVS number (numéro AVS, AHVN13): `756.XXXX.XXXX.XC`, 13 digits, EAN-13 check digit.
 * Accepted: the dotted form (what the API uses) and the bare 13 digits (what registers
 * such as eCH-0044 exchange). Nothing else: no spaces, no other separators.
 */
const DOTTED = /^756\.(\d{4})\.(\d{4})\.(\d{2})$/;
const BARE = /^756\d{10}$/;

function digitsOf(s: string): string | null {
  const dotted = DOTTED.exec(s);
  if (dotted) return `756${dotted[1]}${dotted[2]}${dotted[3]}`;
  return BARE.test(s) ? s : null;
}

/** EAN-13: weights 1, 3, 1, 3 ... from the left on the first 12 digits. */
function ean13CheckDigit(first12: string): number {
  let sum = 0;
  for (let i = 0; i < 12; i += 1) sum += Number(first12[i]) * (i % 2 === 0 ? 1 : 3);
  return (10 - (sum % 10)) % 10;
}

export function isValidAvsNumber(s: string): boolean {
  const digits = digitsOf(s);
  return digits !== null && ean13CheckDigit(digits.slice(0, 12)) === Number(digits[12]);
}

/** The dotted form `756.XXXX.XXXX.XC` of a valid AVS number (surrounding spaces ignored), else null. */
export function normalizeAvs(s: string): string | null {
  const trimmed = s.trim();
  if (!isValidAvsNumber(trimmed)) return null;
  const d = digitsOf(trimmed) as string;
  return `${d.slice(0, 3)}.${d.slice(3, 7)}.${d.slice(7, 11)}.${d.slice(11)}`;
}
