/**
 * Swiss enterprise identification number (UID/IDE): `CHE-123.456.789`, 8 digits and a
 * mod-11 check digit (weights 5, 4, 3, 2, 7, 6, 5, 4). Accepted: that form and `CHE123456789`.
 */
const DOTTED = /^CHE-(\d{3})\.(\d{3})\.(\d{3})$/;
const BARE = /^CHE(\d{9})$/;
const WEIGHTS = [5, 4, 3, 2, 7, 6, 5, 4];

function digitsOf(s: string): string | null {
  const dotted = DOTTED.exec(s);
  if (dotted) return `${dotted[1]}${dotted[2]}${dotted[3]}`;
  return BARE.exec(s)?.[1] ?? null;
}

/** 11 - (weighted sum mod 11); 11 gives 0, 10 is never issued (invalid). */
function checkDigit(first8: string): number | null {
  const sum = WEIGHTS.reduce((acc, w, i) => acc + w * Number(first8[i]), 0);
  const check = 11 - (sum % 11);
  if (check === 11) return 0;
  return check === 10 ? null : check;
}

export function isValidUid(s: string): boolean {
  const digits = digitsOf(s);
  if (digits === null) return false;
  const check = checkDigit(digits.slice(0, 8));
  return check !== null && check === Number(digits[8]);
}

/** The form `CHE-123.456.789` of a valid UID (surrounding spaces ignored), else null. */
export function normalizeUid(s: string): string | null {
  const trimmed = s.trim();
  if (!isValidUid(trimmed)) return null;
  const d = digitsOf(trimmed) as string;
  return `CHE-${d.slice(0, 3)}.${d.slice(3, 6)}.${d.slice(6)}`;
}
