// The registered letter that serves a decision by post (Art. 16 of the ordinance): a cover
// letter that says truthfully which service this is — a first service by post (no consent
// for that unit and domain, a blocked or ended contract, the unit's choice, a person who is
// not a user of the counter) or the second service after an unopened electronic window
// (Art. 16.5) — followed by the decision's own pages (infra/pdf.ts puts them together). An A4
// cover in French or German, in the words of the process's rule set (its counter, citations,
// collection period; no second letter where the rule set has none), laid out for a C5/C4 envelope with a window on the right (Swiss practice):
// the postal mention "RECOMMANDÉ" above the recipient's address, both inside the window.
// Pure apart from pdfkit: the same input gives the same bytes (the PDF's creation date is the
// day the letter is sent, not the clock).
//
// The standard PDF fonts (Helvetica) need no font file but only know the Windows-1252
// characters; anything else is transliterated ("ł" → "l") or replaced by "?", never dropped
// silently into broken bytes. Errors never carry the recipient's name or address.
import { createHash } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import PDFDocument from 'pdfkit';
import { z } from 'zod';
import { winAnsiText } from '../infra/win-ansi';
import { afterA, inParens, citeFull, citeShort, voiceOf, type Voice } from '../domain/words';
import { ruleSetById } from '../domain/rule-sets';
import { formatSwissDate, LEGACY_VOICE } from './mail-templates';

export interface RegisteredLetterInput {
  /** The administrative unit that made the decision: the sender. */
  unit: { name: string; address: string[] };
  recipient: { name: string; street: string; postCode: string; locality: string };
  /** The unit's reference of the decision. */
  reference: string;
  /** The decision's title. */
  title: string;
  /** SHA-256 (hex) of the decision document, as the unit served it. */
  decisionSha256: string;
  /** Which service this letter is, with the facts its wording states. */
  service: LetterService;
  remedy: { kind: 'opposition' | 'appeal'; days: number; text: string };
  /** The day the letter is posted (YYYY-MM-DD): its date, and the PDF's creation date. */
  sentOn: string;
  /**
   * The decision's PDF, when at hand: its SHA-256 must be `decisionSha256`. Its pages follow
   * the cover in the same PDF (infra/pdf.ts); the cover states how many they are.
   */
  decisionPdf?: Buffer;
  /** The decision's page count, as the cover states it (from `decisionPdf` when not given). */
  decisionPages?: number;
  /** Where the letter is written ("Delémont, le ..."); default: the locality of the unit's last address line. */
  place?: string;
  /** The process's rule set and the recipient's language; default the Jura rule set (processes before pinning). */
  voice?: Voice;
}

/** Why a decision goes by post at once (a first service). */
export type FirstServiceReason = 'no-consent' | 'contract-blocked' | 'unit-choice' | 'not-a-user' | 'alert-undeliverable';
export const FIRST_SERVICE_REASONS: readonly FirstServiceReason[] = ['no-consent', 'contract-blocked', 'unit-choice', 'not-a-user', 'alert-undeliverable'];

export type LetterService =
  /** The decision has not been in the counter: served by post for the first time. */
  | { kind: 'first'; reason: FirstServiceReason }
  /** Art. 16.5: put in the counter on `communicatedOn`, not opened by `windowLastDay`. */
  | { kind: 'second'; communicatedOn: string; windowLastDay: string };

export const LETTER_INPUT_ERROR = 'LetterInputError';

const day = z.iso.date();
const line = z.string().trim().min(1).max(200);
const inputSchema = z.object({
  unit: z.object({ name: line, address: z.array(line).max(6) }),
  recipient: z.object({ name: line, street: line, postCode: z.string().trim().min(1).max(12), locality: line }),
  reference: line,
  title: z.string().trim().min(1).max(500),
  decisionSha256: z.string().regex(/^[0-9a-fA-F]{64}$/),
  service: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('first'), reason: z.enum(FIRST_SERVICE_REASONS as [FirstServiceReason, ...FirstServiceReason[]]) }),
    z.object({ kind: z.literal('second'), communicatedOn: day, windowLastDay: day }),
  ]),
  remedy: z.object({ kind: z.enum(['opposition', 'appeal']), days: z.number().int().min(1).max(365), text: z.string().trim().min(1).max(4000) }),
  sentOn: day,
  decisionPdf: z.instanceof(Buffer).optional(),
  decisionPages: z.number().int().min(1).max(10_000).optional(),
  place: line.optional(),
});

/** A bad input will not render better on retry: non-retryable, naming fields, never values. */
function inputError(what: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(`registered letter: ${what}`, LETTER_INPUT_ERROR);
}

export { winAnsiText } from '../infra/win-ansi';

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

export const MM = 72 / 25.4;
export const A4 = { width: 210 * MM, height: 297 * MM };
export const MARGIN = { left: 25 * MM, right: 20 * MM, top: 20 * MM, bottom: 22 * MM };
export const TEXT_WIDTH = A4.width - MARGIN.left - MARGIN.right;
// Window on the right (C5/C4, Swiss practice): the address field starts 118 mm from the left
// edge; the postal mention sits at the top of the window, the address below it.
export const WINDOW = { x: 118 * MM, mentionY: 50 * MM, addressY: 57 * MM, width: 72 * MM };
export const FONT = 'Helvetica';
export const BOLD = 'Helvetica-Bold';
export const MONO = 'Courier';

function placeOf(unitAddress: readonly string[]): string | undefined {
  const last = unitAddress[unitAddress.length - 1];
  if (!last) return undefined;
  const locality = last.replace(/^(?:CH-)?\d{4}\s+/, '').trim();
  return locality.length > 0 ? locality : undefined;
}

type LetterLang = 'fr' | 'de';
const REMEDY = {
  fr: {
    opposition: { noun: "d'opposition", act: "L'opposition", filed: 'formée' },
    appeal: { noun: 'de recours', act: 'Le recours', filed: 'formé' },
  },
  de: {
    opposition: { noun: 'für die Einsprache', act: 'Die Einsprache', filed: 'erhoben' },
    appeal: { noun: 'für die Beschwerde', act: 'Die Beschwerde', filed: 'erhoben' },
  },
} as const;

/** What the cover says of this service: each kind its own words, with this decision's dates, in the rule set's words. */
export function serviceParagraphs(service: LetterService, unitName: string, remedyNoun: string, voice: Voice = LEGACY_VOICE): string[] {
  const { words: w, lang, ruleSetId } = voiceOf(voice);
  const counter = w.counter[lang];
  const date = (d: string) => formatSwissDate(d, lang);
  const fr = lang === 'fr';
  if (service.kind === 'second') {
    // Only a rule set that serves a second time by post has this letter (JU Art. 16 al. 5);
    // where the window's end is a deemed notification (NE LPA Art. 30), none is ever sent.
    if (ruleSetById(ruleSetId).electronicService.windowExpiry !== 'postal-service') throw inputError(`rule set ${ruleSetId} serves no second letter`);
    const cite = citeFull(w, 'windowExpiry', lang, { determiner: true });
    return fr
      ? [
          `Le ${date(service.communicatedOn)}, la décision désignée ci-dessous a été mise à votre disposition dans le ${counter}. ` +
            `Vous n'en avez pas pris connaissance au plus tard le ${date(service.windowLastDay)}, dernier jour du délai de consultation. ` +
            `${cite ? `Conformément ${afterA(cite)}, elle` : 'Elle'} vous est dès lors notifiée une seconde fois, ` +
            `par le présent envoi recommandé. Le délai ${remedyNoun} court à compter de cette seconde notification.`,
        ]
      : [
          `Am ${date(service.communicatedOn)} wurde Ihnen die unten bezeichnete Verfügung im ${counter} zur Verfügung gestellt. ` +
            `Sie haben bis spätestens am ${date(service.windowLastDay)}, dem letzten Tag der Einsichtsfrist, nicht davon Kenntnis genommen. ` +
            `${cite ? `Gemäss ${cite} wird` : 'Daher wird'} sie Ihnen mit dieser eingeschriebenen Sendung ein zweites Mal eröffnet. ` +
            `Die Frist ${remedyNoun} beginnt mit dieser zweiten Eröffnung.`,
        ];
  }
  const consent = inParens(citeFull(w, 'consentToService', lang));
  const choice = inParens(citeFull(w, 'unitChoice', lang));
  const why: Record<FirstServiceReason, Record<LetterLang, string>> = {
    'no-consent': {
      fr: `Vous n'avez pas autorisé ${unitName} à vous notifier par le biais du ${counter} les décisions de ce domaine${consent}.`,
      de: `Sie haben ${unitName} nicht ermächtigt, Ihnen Verfügungen dieses Bereichs über den ${counter} zu eröffnen${consent}.`,
    },
    'contract-blocked': {
      fr: `Votre accès au ${counter} est bloqué ou a pris fin : aucune décision ne peut vous y être notifiée.`,
      de: `Ihr Zugang zum ${counter} ist gesperrt oder beendet: Dort kann Ihnen keine Verfügung eröffnet werden.`,
    },
    'unit-choice': {
      fr: `${unitName} a choisi de vous notifier cette décision selon les formes usuelles${choice}.`,
      de: `${unitName} hat entschieden, Ihnen diese Verfügung in der üblichen Form zu eröffnen${choice}.`,
    },
    'not-a-user': {
      fr: `Vous n'êtes pas utilisateur ou utilisatrice du ${counter}.`,
      de: `Sie sind nicht Benutzerin oder Benutzer ${w.counterGenitive}.`,
    },
    'alert-undeliverable': {
      fr: `L'avis électronique annonçant cette décision n'a pas pu être remis à l'adresse électronique que vous avez indiquée au ${counter}.`,
      de: `Die elektronische Mitteilung zu dieser Verfügung konnte an die E-Mail-Adresse, die Sie im ${counter} angegeben haben, nicht zugestellt werden.`,
    },
  };
  const runs = fr
    ? `La décision désignée ci-dessous vous est dès lors notifiée par le présent envoi recommandé. Le délai ${remedyNoun} court à compter de la réception du présent envoi.`
    : `Die unten bezeichnete Verfügung wird Ihnen daher mit dieser eingeschriebenen Sendung eröffnet. Die Frist ${remedyNoun} beginnt mit dem Empfang dieser Sendung.`;
  return [`${why[service.reason][lang]} ${runs}`];
}

/** Every text of the cover letter but the input's own values (name, address, decision): pure, for tests and the PDF alike. */
export function letterTexts(
  i: Pick<RegisteredLetterInput, 'unit' | 'reference' | 'title' | 'service' | 'remedy' | 'sentOn' | 'place' | 'voice'>,
  pageCount: number | null,
) {
  const voice = i.voice ?? LEGACY_VOICE;
  const { words: w, lang, ruleSetId } = voiceOf(voice);
  const rs = ruleSetById(ruleSetId);
  const fr = lang === 'fr';
  const counter = w.counter[lang];
  const remedy = REMEDY[lang][i.remedy.kind];
  const place = i.place ?? placeOf(i.unit.address);
  const date = formatSwissDate(i.sentOn, lang);
  const pages = pageCount ? (fr ? ` (${pageCount} page${pageCount > 1 ? 's' : ''})` : ` (${pageCount} Seite${pageCount > 1 ? 'n' : ''})`) : '';
  const second = i.service.kind === 'second';
  const collection = rs.postal.collectionDays;
  const deemedCite = inParens(citeShort(w, 'postalDeemedDelivery', lang));
  const noRemedy = citeShort(w, 'noRemedyThroughCounter', lang);
  return {
    lang,
    dated: fr ? `${place ? `${place}, le ` : 'Le '}${date}` : `${place ? `${place}, ` : ''}${date}`,
    subject: fr ? `Notification de décision — réf. ${i.reference}` : `Eröffnung einer Verfügung — Ref. ${i.reference}`,
    pdfSubject: second
      ? fr
        ? `Seconde notification par envoi recommandé${inParens(citeShort(w, 'windowExpiry', lang))}`
        : `Zweite Eröffnung mit eingeschriebener Sendung${inParens(citeShort(w, 'windowExpiry', lang))}`
      : fr
        ? 'Notification par envoi recommandé'
        : 'Eröffnung mit eingeschriebener Sendung',
    creator: counter,
    mention: fr ? 'RECOMMANDÉ' : 'EINSCHREIBEN',
    salutation: fr ? 'Madame, Monsieur,' : 'Sehr geehrte Damen und Herren',
    service: serviceParagraphs(i.service, i.unit.name, remedy.noun, voice),
    decisionHeading: fr ? 'Décision notifiée' : 'Eröffnete Verfügung',
    labels: fr
      ? { title: 'Titre', reference: 'Référence', authority: 'Autorité', sha: 'Empreinte SHA-256 :' }
      : { title: 'Titel', reference: 'Referenz', authority: 'Behörde', sha: 'SHA-256-Prüfsumme:' },
    labelSep: fr ? ' :' : ':',
    enclosed: fr
      ? `La décision suit la présente lettre, telle que l'autorité l'a rendue${pages}. ` +
        "Son empreinte permet de vérifier qu'un fichier de cette décision est identique, octet pour octet, " +
        (second ? `à celui mis à votre disposition dans le ${counter}.` : "à celui que l'autorité a rendu.")
      : `Die Verfügung folgt diesem Brief, so wie die Behörde sie erlassen hat${pages}. ` +
        'Ihre Prüfsumme erlaubt zu prüfen, ob eine Datei dieser Verfügung Byte für Byte gleich ist wie ' +
        (second ? `die im ${counter} zur Verfügung gestellte.` : 'die von der Behörde erlassene.'),
    remedyHeading: fr ? 'Voies de droit' : 'Rechtsmittelbelehrung',
    remedyText: i.remedy.text,
    remedyPeriod: fr
      ? `Délai ${remedy.noun} : ${i.remedy.days} jours, à compter du lendemain de la réception de la présente notification. ` +
        `Si l'envoi n'est pas retiré, il est réputé reçu le ${collection === 7 ? 'septième' : `${collection}e`} jour qui suit le dépôt de l'avis de retrait${deemedCite}. ` +
        `${remedy.act} ne peut pas être ${remedy.filed} par le biais du ${counter}${inParens(noRemedy)}.`
      : `Frist ${remedy.noun}: ${i.remedy.days} Tage ab dem Tag nach dem Empfang dieser Eröffnung. ` +
        `Wird die Sendung nicht abgeholt, gilt sie am ${collection}. Tag nach der Hinterlegung der Abholungseinladung als empfangen${deemedCite}. ` +
        `${remedy.act} kann nicht über den ${counter} ${remedy.filed} werden${inParens(noRemedy)}.`,
    closing: fr ? 'Nous vous prions de recevoir, Madame, Monsieur, nos salutations distinguées.' : 'Freundliche Grüsse',
    annexHeading: fr ? 'Annexe' : 'Beilage',
    annex: fr ? `Décision jointe${pages} : « ${i.title} », réf. ${i.reference}` : `Beigelegte Verfügung${pages}: «${i.title}», Ref. ${i.reference}`,
    footer: (page: number, of: number) => (fr ? `Réf. ${i.reference} — page ${page}/${of}` : `Ref. ${i.reference} — Seite ${page}/${of}`),
  };
}

/** The recipient in the window (below its postal mention), then place and date where the text begins. */
export function recipientAndDate(
  doc: PDFKit.PDFDocument,
  recipient: { name: string; street: string; postCode: string; locality: string },
  dated: string,
): void {
  const t = winAnsiText;
  doc.font(FONT).fontSize(11);
  doc.text(t(recipient.name), WINDOW.x, WINDOW.addressY, { width: WINDOW.width });
  doc.text(t(recipient.street), { width: WINDOW.width });
  doc.text(t(`${recipient.postCode} ${recipient.locality}`), { width: WINDOW.width });
  doc
    .font(FONT)
    .fontSize(10)
    .text(t(dated), MARGIN.left, 100 * MM, { width: TEXT_WIDTH });
  doc.moveDown(1.5);
}

/** Renders the cover letter; rejects with a non-retryable LetterInputError on a bad input. */
export async function renderRegisteredLetter(input: RegisteredLetterInput): Promise<Buffer> {
  const parsed = inputSchema.safeParse(input);
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((i) => i.path.join('.') || '(input)'))].join(', ');
    throw inputError(`invalid input (${fields})`);
  }
  const i = parsed.data;
  const sha = i.decisionSha256.toLowerCase();
  let pageCount: number | null = i.decisionPages ?? null;
  if (i.decisionPdf) {
    if (createHash('sha256').update(i.decisionPdf).digest('hex') !== sha) throw inputError('the decision PDF does not match decisionSha256');
    pageCount ??= countPdfPages(i.decisionPdf);
  }
  const t = winAnsiText;
  const w = letterTexts({ ...i, voice: input.voice }, pageCount);
  const { dated, subject } = w;

  const doc = new PDFDocument({
    size: 'A4',
    margins: MARGIN,
    bufferPages: true,
    lang: `${w.lang}-CH`,
    info: {
      Title: t(subject),
      Author: t(i.unit.name),
      Subject: t(w.pdfSubject),
      Creator: t(w.creator),
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
  for (const y of [105, 148.5, 210])
    doc
      .moveTo(4 * MM, y * MM)
      .lineTo((y === 148.5 ? 9 : 7) * MM, y * MM)
      .stroke();
  doc.restore();

  // Sender, top left.
  doc
    .font(BOLD)
    .fontSize(11)
    .text(t(i.unit.name), MARGIN.left, MARGIN.top, { width: 85 * MM });
  doc.font(FONT).fontSize(9);
  for (const l of i.unit.address) doc.text(t(l), { width: 85 * MM });

  // The window: the postal mention, a rule, the recipient.
  doc.font(BOLD).fontSize(10).text(t(w.mention), WINDOW.x, WINDOW.mentionY, { width: WINDOW.width, lineBreak: false });
  doc
    .moveTo(WINDOW.x, WINDOW.mentionY + 13)
    .lineTo(WINDOW.x + WINDOW.width, WINDOW.mentionY + 13)
    .lineWidth(0.5)
    .strokeColor('#000000')
    .stroke();
  recipientAndDate(doc, i.recipient, dated);
  doc.font(BOLD).fontSize(11).text(t(subject), { width: TEXT_WIDTH });
  doc.moveDown(1.2);

  const para = (text: string, opts: PDFKit.Mixins.TextOptions = {}) => {
    doc
      .font(FONT)
      .fontSize(10)
      .text(t(text), { width: TEXT_WIDTH, align: 'justify', lineGap: 1.5, ...opts });
    doc.moveDown(0.8);
  };
  const heading = (text: string) => {
    doc.font(BOLD).fontSize(10).text(t(text), { width: TEXT_WIDTH });
    doc.moveDown(0.3);
  };

  para(w.salutation, { align: 'left' });
  for (const text of w.service) para(text);

  heading(w.decisionHeading);
  const rows: [string, string][] = [
    [w.labels.title, i.title],
    [w.labels.reference, i.reference],
    [w.labels.authority, i.unit.name],
  ];
  const labelWidth = 36 * MM;
  for (const [label, value] of rows) {
    const y = doc.y;
    doc
      .font(FONT)
      .fontSize(10)
      .text(t(`${label}${w.labelSep}`), MARGIN.left, y, { width: labelWidth });
    doc.font(label === w.labels.title ? BOLD : FONT).text(t(value), MARGIN.left + labelWidth, y, { width: TEXT_WIDTH - labelWidth });
    doc.moveDown(0.2);
  }
  const y = doc.y;
  doc.font(FONT).fontSize(10).text(t(w.labels.sha), MARGIN.left, y, { width: labelWidth });
  doc
    .font(MONO)
    .fontSize(9)
    .text(sha, MARGIN.left + labelWidth, y + 0.5, { width: TEXT_WIDTH - labelWidth, lineBreak: false });
  doc.x = MARGIN.left;
  doc.moveDown(0.6);
  para(w.enclosed);

  heading(w.remedyHeading);
  para(w.remedyText);
  para(w.remedyPeriod);

  para(w.closing, { align: 'left' });
  doc.font(BOLD).fontSize(10).text(t(i.unit.name), { width: TEXT_WIDTH });
  doc.moveDown(2);

  doc.font(BOLD).fontSize(9).text(t(w.annexHeading), { width: TEXT_WIDTH });
  doc.font(FONT).fontSize(9).text(t(w.annex), { width: TEXT_WIDTH });

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
      .text(t(w.footer(p - range.start + 1, range.count)), MARGIN.left, A4.height - 12 * MM, {
        width: TEXT_WIDTH,
        align: 'right',
        lineBreak: false,
      });
    doc.fillColor('#000000');
    doc.page.margins.bottom = bottom;
  }
  doc.end();
  return done;
}
