// The letter of the second service by registered post (Art. 16 al. 5 of the ordinance): a
// decision put in the counter's inbox and not consulted within the window is notified again
// "selon les formes usuelles", i.e. by registered letter. An A4 page (or two) in French,
// laid out for a C5/C4 envelope with a window on the right (Swiss practice): the postal
// mention "RECOMMANDÉ" above the recipient's address, both inside the window.
//
// pdfkit cannot import the pages of another PDF, so the decision itself is enclosed as an
// annex, identified by its title, reference and SHA-256 fingerprint (and its page count when
// the PDF is given). Pure apart from pdfkit: the same input gives the same bytes (the PDF's
// creation date is the day the letter is sent, not the clock).
//
// The standard PDF fonts (Helvetica) need no font file but only know the Windows-1252
// characters; anything else is transliterated ("ł" → "l") or replaced by "?", never dropped
// silently into broken bytes. Errors never carry the recipient's name or address.
import { createHash } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import PDFDocument from 'pdfkit';
import { z } from 'zod';
import { formatSwissDate } from './mail-templates';

export interface RegisteredLetterInput {
  /** The administrative unit that made the decision: the sender. */
  unit: { name: string; address: string[] };
  recipient: { name: string; street: string; postCode: string; locality: string };
  /** The unit's reference of the decision. */
  reference: string;
  /** The decision's title. */
  title: string;
  /** SHA-256 (hex) of the decision document, as served in the inbox. */
  decisionSha256: string;
  /** The day the decision was put in the inbox (YYYY-MM-DD). */
  communicatedOn: string;
  /** The last day of the consultation window (YYYY-MM-DD). */
  windowLastDay: string;
  remedy: { kind: 'opposition' | 'appeal'; days: number; text: string };
  /** The day the letter is posted (YYYY-MM-DD): its date, and the PDF's creation date. */
  sentOn: string;
  /**
   * The decision's PDF, when at hand: its SHA-256 must be `decisionSha256` and the letter
   * states its page count. Its pages are not copied into the letter (enclosed separately).
   */
  decisionPdf?: Buffer;
  /** Where the letter is written ("Delémont, le ..."); default: the locality of the unit's last address line. */
  place?: string;
}

export const LETTER_INPUT_ERROR = 'LetterInputError';

const day = z.iso.date();
const line = z.string().trim().min(1).max(200);
const inputSchema = z.object({
  unit: z.object({ name: line, address: z.array(line).max(6) }),
  recipient: z.object({ name: line, street: line, postCode: z.string().trim().min(1).max(12), locality: line }),
  reference: line,
  title: z.string().trim().min(1).max(500),
  decisionSha256: z.string().regex(/^[0-9a-fA-F]{64}$/),
  communicatedOn: day,
  windowLastDay: day,
  remedy: z.object({ kind: z.enum(['opposition', 'appeal']), days: z.number().int().min(1).max(365), text: z.string().trim().min(1).max(4000) }),
  sentOn: day,
  decisionPdf: z.instanceof(Buffer).optional(),
  place: line.optional(),
});

/** A bad input will not render better on retry: non-retryable, naming fields, never values. */
function inputError(what: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(`registered letter: ${what}`, LETTER_INPUT_ERROR);
}

// ---- text the standard fonts can show -------------------------------------------------

// Windows-1252 beyond Latin-1 (pdfkit's WIN_ANSI_MAP).
const WIN_ANSI_EXTRA = new Set([
  0x0152, 0x0153, 0x0160, 0x0161, 0x0178, 0x017d, 0x017e, 0x0192, 0x02c6, 0x02dc, 0x2013, 0x2014, 0x2018, 0x2019, 0x201a, 0x201c, 0x201d,
  0x201e, 0x2020, 0x2021, 0x2022, 0x2026, 0x2030, 0x2039, 0x203a, 0x20ac, 0x2122,
]);
const FALLBACK: Record<string, string> = {
  'ł': 'l', 'Ł': 'L', 'đ': 'd', 'Đ': 'D', 'ı': 'i', 'ħ': 'h', 'Ħ': 'H', 'ŀ': 'l', 'Ŀ': 'L',
  '\u2010': '-', '\u2011': '-', '\u2012': '-', '\u2212': '-', '\u00ad': '',
  '\u2009': ' ', '\u202f': '\u00a0', '\u2007': '\u00a0', '\u200b': '', '\u2032': "'", '\u2033': '"',
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

// ---- the decision PDF ------------------------------------------------------------------

/**
 * Its page count without a PDF parser (none at run time): the page objects, or failing that
 * (pages inside compressed object streams) the largest /Count of a page tree; null if unknown.
 */
export function countPdfPages(pdf: Buffer): number | null {
  const raw = pdf.toString('latin1');
  const pages = raw.match(/\/Type\s*\/Page(?![A-Za-z])/g)?.length ?? 0;
  if (pages > 0) return pages;
  let max = 0;
  for (const m of raw.matchAll(/\/Type\s*\/Pages[\s\S]{0,200}?\/Count\s+(\d+)/g)) max = Math.max(max, Number(m[1]));
  return max > 0 ? max : null;
}

// ---- layout ----------------------------------------------------------------------------

const MM = 72 / 25.4;
const A4 = { width: 210 * MM, height: 297 * MM };
const MARGIN = { left: 25 * MM, right: 20 * MM, top: 20 * MM, bottom: 22 * MM };
const TEXT_WIDTH = A4.width - MARGIN.left - MARGIN.right;
// Window on the right (C5/C4, Swiss practice): the address field starts 118 mm from the left
// edge; the postal mention sits at the top of the window, the address below it.
const WINDOW = { x: 118 * MM, mentionY: 50 * MM, addressY: 57 * MM, width: 72 * MM };
const FONT = 'Helvetica';
const BOLD = 'Helvetica-Bold';
const MONO = 'Courier';

function placeOf(unitAddress: readonly string[]): string | undefined {
  const last = unitAddress[unitAddress.length - 1];
  if (!last) return undefined;
  const locality = last.replace(/^(?:CH-)?\d{4}\s+/, '').trim();
  return locality.length > 0 ? locality : undefined;
}

const REMEDY = {
  opposition: { noun: "d'opposition", act: "L'opposition", filed: 'formée' },
  appeal: { noun: 'de recours', act: 'Le recours', filed: 'formé' },
} as const;

/** Renders the letter; rejects with a non-retryable LetterInputError on a bad input. */
export async function renderRegisteredLetter(input: RegisteredLetterInput): Promise<Buffer> {
  const parsed = inputSchema.safeParse(input);
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((i) => i.path.join('.') || '(input)'))].join(', ');
    throw inputError(`invalid input (${fields})`);
  }
  const i = parsed.data;
  const sha = i.decisionSha256.toLowerCase();
  let pageCount: number | null = null;
  if (i.decisionPdf) {
    if (createHash('sha256').update(i.decisionPdf).digest('hex') !== sha) throw inputError('the decision PDF does not match decisionSha256');
    pageCount = countPdfPages(i.decisionPdf);
  }
  const t = winAnsiText;
  const remedy = REMEDY[i.remedy.kind];
  const place = i.place ?? placeOf(i.unit.address);
  const dated = `${place ? `${place}, le ` : 'Le '}${formatSwissDate(i.sentOn)}`;
  const subject = `Notification de décision — réf. ${i.reference}`;

  const doc = new PDFDocument({
    size: 'A4',
    margins: MARGIN,
    bufferPages: true,
    lang: 'fr-CH',
    info: {
      Title: t(subject),
      Author: t(i.unit.name),
      Subject: 'Seconde notification par envoi recommandé (art. 16 al. 5)',
      Creator: 'guichet virtuel sécurisé',
      Producer: 'PDFKit',
      CreationDate: new Date(`${i.sentOn}T00:00:00Z`),
    },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  // Fold marks (A4 in three for C5/6 and DL; the middle one for C5) and the punch mark.
  doc.save().lineWidth(0.4).strokeColor('#888888');
  for (const y of [105, 148.5, 210]) doc.moveTo(4 * MM, y * MM).lineTo((y === 148.5 ? 9 : 7) * MM, y * MM).stroke();
  doc.restore();

  // Sender, top left.
  doc.font(BOLD).fontSize(11).text(t(i.unit.name), MARGIN.left, MARGIN.top, { width: 85 * MM });
  doc.font(FONT).fontSize(9);
  for (const l of i.unit.address) doc.text(t(l), { width: 85 * MM });

  // The window: the postal mention, a rule, the recipient.
  doc.font(BOLD).fontSize(10).text('RECOMMANDÉ', WINDOW.x, WINDOW.mentionY, { width: WINDOW.width, lineBreak: false });
  doc
    .moveTo(WINDOW.x, WINDOW.mentionY + 13)
    .lineTo(WINDOW.x + WINDOW.width, WINDOW.mentionY + 13)
    .lineWidth(0.5)
    .strokeColor('#000000')
    .stroke();
  doc.font(FONT).fontSize(11);
  doc.text(t(i.recipient.name), WINDOW.x, WINDOW.addressY, { width: WINDOW.width });
  doc.text(t(i.recipient.street), { width: WINDOW.width });
  doc.text(t(`${i.recipient.postCode} ${i.recipient.locality}`), { width: WINDOW.width });

  // Place and date, subject.
  doc.font(FONT).fontSize(10).text(t(dated), MARGIN.left, 100 * MM, { width: TEXT_WIDTH });
  doc.moveDown(1.5);
  doc.font(BOLD).fontSize(11).text(t(subject), { width: TEXT_WIDTH });
  doc.moveDown(1.2);

  const para = (text: string, opts: PDFKit.Mixins.TextOptions = {}) => {
    doc.font(FONT).fontSize(10).text(t(text), { width: TEXT_WIDTH, align: 'justify', lineGap: 1.5, ...opts });
    doc.moveDown(0.8);
  };
  const heading = (text: string) => {
    doc.font(BOLD).fontSize(10).text(t(text), { width: TEXT_WIDTH });
    doc.moveDown(0.3);
  };

  para('Madame, Monsieur,', { align: 'left' });
  para(
    `Le ${formatSwissDate(i.communicatedOn)}, la décision désignée ci-dessous vous a été notifiée par le biais du guichet virtuel sécurisé, ` +
      `où elle a été mise à votre disposition. Vous n'en avez pas pris connaissance au plus tard le ${formatSwissDate(i.windowLastDay)}, ` +
      `dernier jour du délai de consultation. Conformément à l'article 16, alinéa 5, de l'Ordonnance concernant le guichet virtuel sécurisé, ` +
      `elle vous est dès lors notifiée une seconde fois, par le présent envoi recommandé. ` +
      `Le délai ${remedy.noun} court à compter de cette seconde notification.`,
  );

  heading('Décision notifiée');
  const rows: [string, string][] = [
    ['Titre', i.title],
    ['Référence', i.reference],
    ['Autorité', i.unit.name],
  ];
  const labelWidth = 36 * MM;
  for (const [label, value] of rows) {
    const y = doc.y;
    doc.font(FONT).fontSize(10).text(`${label} :`, MARGIN.left, y, { width: labelWidth });
    doc.font(label === 'Titre' ? BOLD : FONT).text(t(value), MARGIN.left + labelWidth, y, { width: TEXT_WIDTH - labelWidth });
    doc.moveDown(0.2);
  }
  const y = doc.y;
  doc.font(FONT).fontSize(10).text('Empreinte SHA-256 :', MARGIN.left, y, { width: labelWidth });
  doc.font(MONO).fontSize(9).text(sha, MARGIN.left + labelWidth, y + 0.5, { width: TEXT_WIDTH - labelWidth, lineBreak: false });
  doc.x = MARGIN.left;
  doc.moveDown(0.6);
  para(
    "L'empreinte permet de vérifier que la décision annexée est identique, octet pour octet, à celle mise à votre disposition " +
      'dans le guichet virtuel sécurisé.',
  );

  heading('Voies de droit');
  para(i.remedy.text);
  para(
    `Délai ${remedy.noun} : ${i.remedy.days} jours, à compter du lendemain de la réception de la présente notification. ` +
      "Si l'envoi n'est pas retiré, il est réputé reçu le septième jour qui suit le dépôt de l'avis de retrait. " +
      `${remedy.act} ne peut pas être ${remedy.filed} par le biais du guichet virtuel sécurisé (art. 17 de l'ordonnance).`,
  );

  para('Nous vous prions de recevoir, Madame, Monsieur, nos salutations distinguées.', { align: 'left' });
  doc.font(BOLD).fontSize(10).text(t(i.unit.name), { width: TEXT_WIDTH });
  doc.moveDown(2);

  doc.font(BOLD).fontSize(9).text('Annexe', { width: TEXT_WIDTH });
  doc
    .font(FONT)
    .fontSize(9)
    .text(t(`Décision annexée${pageCount ? ` (${pageCount} page${pageCount > 1 ? 's' : ''})` : ''} : « ${i.title} », réf. ${i.reference}`), { width: TEXT_WIDTH });

  // Footer on every page: reference and page number (written last, pages buffered).
  const range = doc.bufferedPageRange();
  for (let p = range.start; p < range.start + range.count; p += 1) {
    doc.switchToPage(p);
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0; // writing inside the bottom margin must not add a page
    doc
      .font(FONT)
      .fontSize(8)
      .fillColor('#555555')
      .text(t(`Réf. ${i.reference} — page ${p - range.start + 1}/${range.count}`), MARGIN.left, A4.height - 12 * MM, { width: TEXT_WIDTH, align: 'right', lineBreak: false });
    doc.fillColor('#000000');
    doc.page.margins.bottom = bottom;
  }
  doc.end();
  return done;
}
