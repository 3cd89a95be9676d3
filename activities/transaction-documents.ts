// The documents a transaction puts in the user's inbox (Art. 15): the receipt with its number,
// the QR-bill's heading, the seal's words — in the words of the process's rule set and the
// user's language. Pure functions: no clock, no I/O.
import { voiceOf, type Voice } from '../domain/words';
import { formatSwissDate } from './mail-templates';

export interface ReceiptInput {
  receiptNumber: string;
  serviceTitle: string;
  unitName: string;
  /** YYYY-MM-DD, and the local time HH:MM */
  submittedOn: string;
  submittedAt: string;
  attachments: { name: string; sha256: string }[];
  fee: string | null;
}

/** The acknowledgment of receipt (Art. 15.1): what was received, when, under which number. */
export function receiptTexts(i: ReceiptInput, voice: Voice) {
  const { words, lang } = voiceOf(voice);
  const counter = words.counter[lang];
  const files = i.attachments.map((a) => `${a.name} (SHA-256 ${a.sha256.slice(0, 16)}…)`);
  if (lang === 'de')
    return {
      title: `Empfangsbestätigung ${i.receiptNumber}`,
      subtitle: `${words.sender.de.join(', ')}`,
      sections: [
        { heading: 'Geschäft', lines: [`${i.serviceTitle}`, `Zuständig: ${i.unitName}`] },
        {
          heading: 'Eingang',
          lines: [`Nummer: ${i.receiptNumber}`, `Eingegangen am ${formatSwissDate(i.submittedOn, 'de')} um ${i.submittedAt} über den ${counter}`],
        },
        { heading: 'Beilagen', lines: files.length ? files : ['keine'] },
        { heading: 'Gebühr', lines: [i.fee ? `${i.fee}, zu bezahlen, bevor das Geschäft bearbeitet wird` : 'keine'] },
      ],
    };
  return {
    title: `Accusé de réception ${i.receiptNumber}`,
    subtitle: `${words.sender.fr.join(', ')}`,
    sections: [
      { heading: 'Démarche', lines: [`${i.serviceTitle}`, `Unité compétente : ${i.unitName}`] },
      { heading: 'Réception', lines: [`Numéro : ${i.receiptNumber}`, `Reçue le ${formatSwissDate(i.submittedOn, 'fr')} à ${i.submittedAt} par le ${counter}`] },
      { heading: 'Pièces jointes', lines: files.length ? files : ['aucune'] },
      { heading: 'Émolument', lines: [i.fee ? `${i.fee}, à payer avant le traitement de la démarche` : 'aucun'] },
    ],
  };
}

/** The QR-bill's page heading and message. */
export function qrBillTexts(i: { receiptNumber: string; serviceTitle: string; unitName: string; dueDay: string }, voice: Voice) {
  const { words, lang } = voiceOf(voice);
  const counter = words.counter[lang];
  if (lang === 'de')
    return {
      heading: {
        title: `Gebühr: ${i.serviceTitle}`,
        lines: [
          `${i.unitName}, über den ${counter}`,
          `Geschäft ${i.receiptNumber}`,
          `Zahlbar bis ${formatSwissDate(i.dueDay, 'de')}; danach verfällt das Geschäft.`,
        ],
      },
      message: `Geschäft ${i.receiptNumber}`,
    };
  return {
    heading: {
      title: `Émolument : ${i.serviceTitle}`,
      lines: [
        `${i.unitName}, par le ${counter}`,
        `Démarche ${i.receiptNumber}`,
        `Payable au plus tard le ${formatSwissDate(i.dueDay, 'fr')} ; passé ce délai, la démarche devient caduque.`,
      ],
    },
    message: `Démarche ${i.receiptNumber}`,
  };
}

/** What the seal on an issued document says: who issued it, through which counter. */
export function sealTexts(i: { unitName: string; receiptNumber: string }, voice: Voice) {
  const { words, lang } = voiceOf(voice);
  return {
    name: words.chancellery[lang],
    location: words.chancelleryAddress[lang].at(-1) ?? '',
    reason:
      lang === 'de'
        ? `Ausgestellt von ${i.unitName} über den ${words.counter.de} (${i.receiptNumber})`
        : `Délivré par ${i.unitName} par le ${words.counter.fr} (${i.receiptNumber})`,
  };
}

/** A fee as the user reads it: "CHF 20.00". */
export const chf = (cents: number) => `CHF ${(cents / 100).toFixed(2)}`;
