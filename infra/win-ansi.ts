// What the standard PDF fonts (Helvetica, WinAnsiEncoding) can show: anything else is
// transliterated ("ł" → "l") or replaced by "?", never dropped silently into broken bytes.

// Windows-1252 beyond Latin-1 (pdfkit's WIN_ANSI_MAP).
const WIN_ANSI_EXTRA = new Set([
  0x0152, 0x0153, 0x0160, 0x0161, 0x0178, 0x017d, 0x017e, 0x0192, 0x02c6, 0x02dc, 0x2013, 0x2014, 0x2018, 0x2019, 0x201a, 0x201c, 0x201d, 0x201e, 0x2020,
  0x2021, 0x2022, 0x2026, 0x2030, 0x2039, 0x203a, 0x20ac, 0x2122,
]);
const FALLBACK: Record<string, string> = {
  ł: 'l',
  Ł: 'L',
  đ: 'd',
  Đ: 'D',
  ı: 'i',
  ħ: 'h',
  Ħ: 'H',
  ŀ: 'l',
  Ŀ: 'L',
  '\u2010': '-',
  '\u2011': '-',
  '\u2012': '-',
  '\u2212': '-',
  '\u00ad': '',
  '\u2009': ' ',
  '\u202f': '\u00a0',
  '\u2007': '\u00a0',
  '\u200b': '',
  '\u2032': "'",
  '\u2033': '"',
};

function encodable(c: string): boolean {
  const cp = c.codePointAt(0) ?? 0;
  return (cp >= 0x20 && cp <= 0x7e) || (cp >= 0xa0 && cp <= 0xff) || WIN_ANSI_EXTRA.has(cp);
}

/** The text in characters Helvetica (WinAnsiEncoding) can show. */
export function winAnsiText(text: string): string {
  let out = '';
  for (const c of text.normalize('NFC')) {
    if (c === '\n') out += c;
    else if (/\s/u.test(c) && c !== '\u00a0' && c !== '\u202f') out += ' ';
    else if (encodable(c)) out += c;
    else if (c in FALLBACK) out += FALLBACK[c];
    else {
      const stripped = c.normalize('NFD').replace(/\p{M}+/gu, '');
      out += stripped.length > 0 && [...stripped].every(encodable) ? stripped : '?';
    }
  }
  return out;
}
