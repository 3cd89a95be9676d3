// Names that give a canton away: a Neuchâtel text or demo datum names none of Jura's.
export const JURA_NAMES = ['Jura', 'jurassien', 'Delémont', 'Porrentruy', 'Saignelégier', 'Franches-Montagnes', 'Ajoie', 'RSJU', '2800', '2900', '2350'];

/** The Jura names found in `text` (whole words, case-insensitive). */
export function juraNamesIn(text: string): string[] {
  return JURA_NAMES.filter((name) => new RegExp(`(?<![\\p{L}\\d])${name}(?![\\p{L}\\d])`, 'iu').test(text));
}
