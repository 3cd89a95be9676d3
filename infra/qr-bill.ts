// The Swiss QR-bill that a fee is paid with when it is not paid online (infra/payments.ts): an A4
// page with the caller's heading at the top and the QR-bill's payment part (receipt and payment
// slip, with the Swiss QR code) at the bottom, drawn by swissqrbill on pdfkit. It follows SIX's
// "Swiss Implementation Guidelines for the QR-bill" (version 2.3, in force since November 2025):
// structured addresses only (address type S; the combined type K is gone), a QR reference (QRR)
// with a QR-IBAN, an ISO 11649 creditor reference (SCOR, "RF…") with an ordinary IBAN.
//
// Every text on the page that is not the standard's own (the receipt's and slip's labels, which
// swissqrbill prints in the bill's language) comes from the caller, i.e. from the canton's rule
// set: nothing here names a canton or a service. The standard PDF font (Helvetica) only knows
// Windows-1252: every text, on the page and in the QR code alike, goes through winAnsiText, so
// that what is printed is what is encoded. Errors name the field that is wrong, never its value
// (a debtor's name and address are personal data); they are non-retryable ApplicationFailures.
import { ApplicationFailure } from '@temporalio/common';
import PDFDocument from 'pdfkit';
import { SwissQRBill } from 'swissqrbill/pdf';
import { ValidationError } from 'swissqrbill/errors';
import type { Data } from 'swissqrbill/types';
import { winAnsiText } from './win-ansi';

/** The ApplicationFailure type of a refused bill. */
export const QR_BILL_ERROR = 'QrBillError';

/** A structured postal address (IG QR-bill 2.3: the only kind left). */
export interface StructuredAddress {
  /** Max. 70 characters. */
  name: string;
  /** Max. 70 characters. */
  street: string;
  /** Max. 16 characters. */
  buildingNumber?: string;
  /** Max. 16 characters. */
  postalCode: string;
  /** Max. 35 characters. */
  town: string;
  /** ISO 3166-1 alpha-2. */
  country: 'CH' | string;
}

export interface QrBill {
  /** The creditor (the unit that charges the fee) and its account: a QR-IBAN or an IBAN, CH or LI. */
  creditor: StructuredAddress & { account: string };
  debtor: StructuredAddress;
  /** In centimes: 1 to 99'999'999'999 (CHF 0.01 to 999'999'999.99, the QR-bill's limit). */
  amountCents: number;
  /** A QR reference (27 digits) with a QR-IBAN; a creditor reference (RF…) with an IBAN. Spaces allowed. */
  reference: string;
  /** The unstructured message (max. 140 characters), e.g. the transaction's number. */
  message: string;
  language: 'fr' | 'de';
  /** The page's own text, above the payment part: from the rule set. */
  heading: { title: string; lines: string[] };
}

/**
 * A bill that cannot be made: `field` names what is wrong (e.g. "creditor.account"). Non-retryable
 * (an activity that makes the bill stops at once): the same input gives the same refusal.
 */
export class QrBillError extends ApplicationFailure {
  constructor(
    readonly field: string,
    message: string,
    /** swissqrbill's ValidationError code, when it is the one that refused. */
    readonly code?: string,
  ) {
    super(`QR-bill: ${field}: ${message}`, QR_BILL_ERROR, true, [{ field, code: code ?? null }]);
  }
}

/** The QR-bill's amount limit: 999'999'999.99 (12 characters with the decimal point). */
export const MAX_AMOUNT_CENTS = 99_999_999_999;

const compact = (s: string) => s.replace(/\s+/g, '').toUpperCase();

/** ISO 7064 mod 97-10 of an alphanumeric string (letters as 10-35), as IBAN and ISO 11649 use it. */
function mod97(s: string): number {
  let rest = 0;
  for (const c of s) {
    const digits = /[A-Z]/.test(c) ? String(c.charCodeAt(0) - 55) : c;
    for (const d of digits) rest = (rest * 10 + Number(d)) % 97;
  }
  return rest;
}

/** The recursive modulo 10 check digit of SIX's QR reference (the one of the old ISR/BESR). */
export function qrCheckDigit(digits: string): string {
  const table = [0, 9, 4, 6, 8, 2, 7, 1, 3, 5];
  let carry = 0;
  for (const d of digits) carry = table[(carry + Number(d)) % 10]!;
  return String((10 - carry) % 10);
}

/** A valid IBAN of Switzerland or Liechtenstein (the only ones a QR-bill takes): 21 characters, mod 97 = 1. */
export function isSwissIban(iban: string): boolean {
  const i = compact(iban);
  return /^(CH|LI)\d{2}[0-9A-Z]{17}$/.test(i) && mod97(i.slice(4) + i.slice(0, 4)) === 1;
}

/** A QR-IBAN: a valid Swiss/Liechtenstein IBAN whose institution id (QR-IID) is 30000-31999. */
export function isQrIban(iban: string): boolean {
  const i = compact(iban);
  if (!isSwissIban(i)) return false;
  const iid = Number(i.slice(4, 9));
  return iid >= 30000 && iid <= 31999;
}

/** A QR reference: 27 digits, the last the recursive mod 10 check digit of the 26 others. */
export function isQrReference(reference: string): boolean {
  const r = compact(reference);
  return /^\d{27}$/.test(r) && qrCheckDigit(r.slice(0, 26)) === r[26];
}

/** An ISO 11649 creditor reference: RF, 2 check digits, 1-21 alphanumerics; mod 97 of (rest + RF + check) = 1. */
export function isCreditorReference(reference: string): boolean {
  const r = compact(reference);
  return /^RF\d{2}[0-9A-Z]{1,21}$/.test(r) && mod97(r.slice(4) + r.slice(0, 4)) === 1;
}

/**
 * A QR reference (QRR) from a numeric seed (e.g. a transaction's number's digits): the seed
 * right-aligned in 26 digits, then the check digit. Returned without spaces; the bill prints it
 * in blocks of five.
 */
export function qrReference(seed: string | number): string {
  const digits = typeof seed === 'number' ? (Number.isSafeInteger(seed) && seed >= 0 ? String(seed) : '') : seed.replace(/\s+/g, '');
  if (!/^\d{1,26}$/.test(digits)) throw new QrBillError('reference', 'a QR reference is made from 1 to 26 digits');
  const body = digits.padStart(26, '0');
  return body + qrCheckDigit(body);
}

/**
 * An ISO 11649 creditor reference (SCOR) from a seed of 1-21 letters and digits: "RF", two
 * check digits (98 − mod 97 of seed + "RF00"), the seed. Returned without spaces.
 */
export function creditorReference(seed: string | number): string {
  const s = typeof seed === 'number' ? (Number.isSafeInteger(seed) && seed >= 0 ? String(seed) : '') : compact(seed);
  if (!/^[0-9A-Z]{1,21}$/.test(s)) throw new QrBillError('reference', 'a creditor reference is made from 1 to 21 letters and digits');
  const check = 98 - mod97(`${s}RF00`);
  return `RF${String(check).padStart(2, '0')}${s}`;
}

/** swissqrbill's error code → the field of our input it is about. */
function fieldOf(code: string): string {
  if (/^ACCOUNT_IS_|REFERENCE/.test(code)) return 'reference';
  if (code === 'ACCOUNT_LENGTH_IS_INVALID') return 'creditor.account';
  const party = /^(CREDITOR|DEBTOR)_(.+)$/.exec(code);
  if (party) {
    const who = party[1] === 'CREDITOR' ? 'creditor' : 'debtor';
    const part = party[2]!;
    const name = /^ACCOUNT/.test(part)
      ? 'account'
      : /^ADDRESS/.test(part)
        ? 'street'
        : /^BUILDING_NUMBER/.test(part)
          ? 'buildingNumber'
          : /^CITY/.test(part)
            ? 'town'
            : /^ZIP/.test(part)
              ? 'postalCode'
              : /^COUNTRY/.test(part)
                ? 'country'
                : /^NAME/.test(part)
                  ? 'name'
                  : '';
    return name ? `${who}.${name}` : who;
  }
  if (/^AMOUNT/.test(code)) return 'amountCents';
  if (/^MESSAGE/.test(code)) return 'message';
  if (/^CURRENCY/.test(code)) return 'currency';
  return 'bill';
}

const text = (s: string) => winAnsiText(s).trim();

function party(a: StructuredAddress) {
  return {
    name: text(a.name),
    address: text(a.street),
    ...(a.buildingNumber?.trim() ? { buildingNumber: text(a.buildingNumber) } : {}),
    zip: text(a.postalCode),
    city: text(a.town),
    country: a.country.trim().toUpperCase(),
  };
}

/** Checks that say more than swissqrbill would (which field, and why), before it checks the rest. */
function precheck(bill: QrBill): void {
  if (!Number.isInteger(bill.amountCents) || bill.amountCents < 1 || bill.amountCents > MAX_AMOUNT_CENTS)
    throw new QrBillError('amountCents', `must be a whole number of centimes from 1 to ${MAX_AMOUNT_CENTS} (CHF 0.01 to 999'999'999.99)`);
  if (!isSwissIban(bill.creditor.account)) throw new QrBillError('creditor.account', 'not a valid IBAN of Switzerland or Liechtenstein');
  for (const [who, a] of [
    ['creditor', bill.creditor],
    ['debtor', bill.debtor],
  ] as const) {
    for (const f of ['name', 'street', 'postalCode', 'town'] as const)
      if (!a[f]?.trim()) throw new QrBillError(`${who}.${f}`, 'required in a structured address');
    if (!/^[A-Za-z]{2}$/.test(a.country.trim())) throw new QrBillError(`${who}.country`, 'must be a two-letter country code');
  }
  // SIX: a QR-IBAN takes a QR reference and nothing else; an IBAN never takes a QR reference.
  if (isQrIban(bill.creditor.account)) {
    if (!isQrReference(bill.reference)) throw new QrBillError('reference', 'a QR-IBAN needs a QR reference (27 digits with a valid check digit)');
  } else if (!isCreditorReference(bill.reference))
    throw new QrBillError('reference', 'an IBAN needs a creditor reference (ISO 11649, RF…) with valid check digits');
}

const MM = 72 / 25.4;

/** The bill as a PDF: an A4 page, the heading at the top, the payment part at the bottom. */
export async function qrBillPdf(bill: QrBill): Promise<Buffer> {
  precheck(bill);
  const data: Data = {
    currency: 'CHF',
    amount: bill.amountCents / 100,
    creditor: { ...party(bill.creditor), account: compact(bill.creditor.account) },
    debtor: party(bill.debtor),
    reference: compact(bill.reference),
    message: text(bill.message),
  };
  let qr: SwissQRBill;
  try {
    qr = new SwissQRBill(data, { language: bill.language === 'de' ? 'DE' : 'FR', scissors: true });
  } catch (err) {
    if (err instanceof ValidationError) {
      // Its messages quote the value refused ('{iban}', '{reference}'): left out.
      throw new QrBillError(fieldOf(err.code), err.message.replace(/'[^']*'/g, '…'), err.code);
    }
    throw err;
  }

  const title = text(bill.heading.title);
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: 20 * MM, left: 20 * MM, right: 20 * MM, bottom: 0 },
    lang: `${bill.language}-CH`,
    info: { Title: title, Producer: 'PDFKit', Creator: 'swissqrbill' },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const width = doc.page.width - 40 * MM;
  doc.font('Helvetica-Bold').fontSize(16).text(title, { width });
  doc.moveDown(0.8);
  doc.font('Helvetica').fontSize(11);
  for (const line of bill.heading.lines) doc.text(text(line), { width, lineGap: 2 });
  // The payment part: the bottom 105 mm of the page (a new page only if the heading ran into it).
  qr.attachTo(doc);
  doc.end();
  return done;
}
