// The letters that carry a person's access rights (NE 3.1: "par plis séparés"): one with the
// user code, one with the initial password, from the Chancellery of the process's rule set, in
// its words (`accessRights.credentials.letters`). The same A4 layout as the registered letter
// (activities/letter-pdf.ts): the sender top left, the recipient in the window on the right.
// Pure apart from pdfkit: the same input gives the same bytes (the creation date is the day the
// letter is sent), so a retry posts the same letter under the same id.
import PDFDocument from 'pdfkit';
import { fillLetter, type CredentialRules } from '../domain/credentials';
import { voiceOf, type Voice } from '../domain/words';
import { winAnsiText as t } from '../infra/win-ansi';
import { BOLD, FONT, MARGIN, MM, MONO, recipientAndDate, TEXT_WIDTH, WINDOW } from './letter-pdf';
import { formatSwissDate } from './mail-templates';

export interface CredentialLetterInput {
  kind: 'user-code' | 'password';
  /** The user code, or the initial password. */
  secret: string;
  recipient: { name: string; street: string; postCode: string; locality: string };
  rules: CredentialRules;
  voice: Voice;
  /** YYYY-MM-DD */
  sentOn: string;
  /** The issue of the access rights: 1 the first (the contract signed), more a replacement (NE 4.3). */
  generation: number;
}

/** The letter's texts, secret included: for the PDF and the tests alike. */
export function credentialLetterTexts(i: Omit<CredentialLetterInput, 'recipient'>) {
  const { words, lang } = voiceOf(i.voice);
  const letter = i.kind === 'user-code' ? i.rules.letters.userCode : i.rules.letters.password;
  const values = { counter: words.counter.fr, ...(i.kind === 'user-code' ? { userCode: i.secret } : { password: i.secret }) };
  const place = words.chancelleryAddress.fr.at(-1)?.replace(/^\d{4}\s+/, '');
  return {
    lang,
    sender: [...words.sender.fr, ...words.chancelleryAddress.fr.slice(1)],
    dated: `${place ? `${place}, le ` : 'Le '}${formatSwissDate(i.sentOn, 'fr')}`,
    subject: fillLetter(letter.subject, values),
    // A replacement says so: the first letter's opening (the contract signed) would not be true.
    paragraphs: (i.kind === 'user-code' && i.generation > 1 ? [i.rules.letters.replacementIntro, ...letter.paragraphs.slice(1)] : letter.paragraphs).map((p) =>
      fillLetter(p, values),
    ),
    mention: 'PERSONNEL',
    closing: 'Nous vous prions de recevoir, Madame, Monsieur, nos salutations distinguées.',
    signature: words.chancellery.fr,
  };
}

export async function renderCredentialLetter(i: CredentialLetterInput): Promise<Buffer> {
  const w = credentialLetterTexts(i);
  const doc = new PDFDocument({
    size: 'A4',
    margins: MARGIN,
    lang: 'fr-CH',
    info: { Title: t(w.subject), Author: t(w.signature), Producer: 'PDFKit', CreationDate: new Date(`${i.sentOn}T00:00:00Z`) },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const [first, ...rest] = w.sender;
  doc
    .font(BOLD)
    .fontSize(11)
    .text(t(first ?? ''), MARGIN.left, MARGIN.top, { width: 85 * MM });
  doc.font(FONT).fontSize(9);
  for (const l of rest) doc.text(t(l), { width: 85 * MM });

  doc.font(BOLD).fontSize(10).text(t(w.mention), WINDOW.x, WINDOW.mentionY, { width: WINDOW.width, lineBreak: false });
  recipientAndDate(doc, i.recipient, w.dated);
  doc.font(BOLD).fontSize(11).text(t(w.subject), { width: TEXT_WIDTH });
  doc.moveDown(1.2);
  doc.font(FONT).fontSize(10).text('Madame, Monsieur,', { width: TEXT_WIDTH });
  doc.moveDown(0.8);
  for (const p of w.paragraphs) {
    // The secret's own paragraph, in a typewriter face: no 0/O or 1/l to guess.
    const secretLine = p.endsWith(i.secret);
    if (secretLine) {
      const label = p.slice(0, p.length - i.secret.length);
      doc.font(FONT).fontSize(10).text(t(label), { width: TEXT_WIDTH, continued: true });
      doc.font(MONO).fontSize(12).text(t(i.secret), { width: TEXT_WIDTH });
    } else {
      doc.font(FONT).fontSize(10).text(t(p), { width: TEXT_WIDTH, align: 'justify', lineGap: 1.5 });
    }
    doc.moveDown(0.8);
  }
  doc.font(FONT).fontSize(10).text(t(w.closing), { width: TEXT_WIDTH });
  doc.moveDown(1);
  doc.font(BOLD).fontSize(10).text(t(w.signature), { width: TEXT_WIDTH });
  doc.end();
  return done;
}
