// The QR-bill a citizen pays a fee with when not paying online: an A4 page with the rule set's
// heading and SIX's payment part. Read back as a reader would (its text), it shows the heading,
// the amount, the creditor, the reference in blocks and the debtor; the references' check digits
// are right (SIX's and ISO 11649's own examples), and a bill that could not be paid is refused
// with an error that names the field, never the value.
import { ApplicationFailure } from '@temporalio/common';
import { isIBANValid, isQRIBAN, isQRReferenceValid, isSCORReferenceValid } from 'swissqrbill/utils';
import {
  creditorReference,
  isCreditorReference,
  isQrIban,
  isQrReference,
  isSwissIban,
  MAX_AMOUNT_CENTS,
  qrBillPdf,
  QR_BILL_ERROR,
  QrBillError,
  qrCheckDigit,
  qrReference,
  type QrBill,
} from '../../infra/qr-bill';
import { pdfText } from '../support/pdf';

/** SIX's test QR-IBAN (IG QR-bill, examples). */
const QR_IBAN = 'CH44 3199 9123 0008 8901 2';
/** An ordinary IBAN (the IBAN standard's Swiss example; institution 00762, not a QR-IID). */
const IBAN = 'CH93 0076 2011 6238 5295 7';

const creditor = {
  name: 'Commune de Delémont',
  street: "Rue de l'Hôpital",
  buildingNumber: '2',
  postalCode: '2800',
  town: 'Delémont',
  country: 'CH',
  account: QR_IBAN,
};
// A made-up person at a made-up address.
const debtor = { name: 'Jeanne Exemple', street: 'Rue du Marché', buildingNumber: '12b', postalCode: '2350', town: 'Saignelégier', country: 'CH' };

const bill = (over: Partial<QrBill> = {}): QrBill => ({
  creditor,
  debtor,
  amountCents: 2000,
  reference: qrReference('2026000123'),
  message: 'Démarche JU-2026-000123',
  language: 'fr',
  heading: {
    title: 'Émolument : attestation de domicile',
    lines: ['Commune de Delémont, par le Guichet virtuel', 'Démarche JU-2026-000123', 'Payable au plus tard le 30 juin 2026.'],
  },
  ...over,
});

function refusal(fn: () => unknown): QrBillError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(QrBillError);
    return err as QrBillError;
  }
  throw new Error('expected a QrBillError');
}
async function refusalOf(p: Promise<unknown>): Promise<QrBillError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(QrBillError);
    return err as QrBillError;
  }
  throw new Error('expected a QrBillError');
}

describe('references', () => {
  it("the QR reference's check digit: SIX's example 21 00000 00003 13947 14300 09017", () => {
    expect(qrCheckDigit('21000000000313947143000901')).toBe('7');
    expect(isQrReference('21 00000 00003 13947 14300 09017')).toBe(true);
    expect(isQrReference('21 00000 00003 13947 14300 09018')).toBe(false);
    expect(qrReference('21000000000313947143000901')).toBe('210000000003139471430009017');
  });

  it('qrReference pads a numeric seed to 26 digits and appends the check digit; swissqrbill agrees', () => {
    const r = qrReference('2026000123');
    expect(r).toMatch(/^0{16}2026000123\d$/);
    expect(qrReference(2026000123)).toBe(r);
    for (const seed of ['1', '42', '2026000123', '99999999999999999999999999', '12345678901234567890123456']) {
      expect(isQRReferenceValid(qrReference(seed))).toBe(true);
      expect(isQrReference(qrReference(seed))).toBe(true);
    }
    expect(refusal(() => qrReference('')).field).toBe('reference');
    expect(refusal(() => qrReference('JU-2026')).field).toBe('reference');
    expect(refusal(() => qrReference('1'.repeat(27))).field).toBe('reference');
    expect(refusal(() => qrReference(-1)).field).toBe('reference');
  });

  it("creditorReference (ISO 11649): the standard's example RF18 5390 0754 7034; mod 97 = 1; swissqrbill agrees", () => {
    expect(creditorReference('539007547034')).toBe('RF18539007547034');
    for (const seed of ['2026000123', 'JU2026000123', '1', 'A'.repeat(21)]) {
      const r = creditorReference(seed);
      expect(r).toMatch(/^RF\d{2}/);
      expect(isCreditorReference(r)).toBe(true);
      expect(isSCORReferenceValid(r)).toBe(true);
      // ISO 11649: the seed, then "RF" and the check digits, letters as numbers (A=10 … Z=35): mod 97 is 1.
      const numeric = (r.slice(4) + r.slice(0, 4)).replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55));
      expect(BigInt(numeric) % 97n).toBe(1n);
    }
    expect(isCreditorReference('RF19539007547034')).toBe(false);
    expect(refusal(() => creditorReference('JU-2026-000123')).field).toBe('reference');
    expect(refusal(() => creditorReference('1'.repeat(22))).field).toBe('reference');
  });

  it("isQrIban: SIX's test QR-IBAN is one; an ordinary IBAN, a broken one, a foreign one are not", () => {
    expect(isQrIban(QR_IBAN)).toBe(true);
    expect(isQRIBAN(QR_IBAN) && isIBANValid(QR_IBAN)).toBe(true);
    expect(isQrIban('ch4431999123000889012')).toBe(true);
    expect(isSwissIban(IBAN)).toBe(true);
    expect(isQrIban(IBAN)).toBe(false);
    expect(isQrIban('CH44 3199 9123 0008 8901 3')).toBe(false); // check digits wrong
    expect(isQrIban('DE89 3704 0044 0532 0130 00')).toBe(false); // valid, but not Swiss
  });
});

describe('the bill', () => {
  it('CHF 20.00 to the commune of Delémont with a QR-IBAN: heading, amount, creditor, reference, debtor', async () => {
    const b = bill();
    const pdf = await qrBillPdf(b);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const { text, pages } = await pdfText(pdf);
    expect(pages).toBe(1);
    expect(text).toContain('Émolument : attestation de domicile');
    expect(text).toContain('Payable au plus tard le 30 juin 2026.');
    expect(text).toContain('20.00');
    expect(text).toContain('CHF');
    // The payment part's labels in French (the standard's own words).
    expect(text).toContain('Récépissé');
    expect(text).toContain('Section paiement');
    expect(text).toContain('Compte / Payable à');
    // The creditor, its account and the reference as printed (IBAN in fours, QR reference in fives).
    expect(text).toContain('Commune de Delémont');
    expect(text).toContain("Rue de l'Hôpital 2");
    expect(text).toContain('2800 Delémont');
    expect(text).toContain('CH44 3199 9123 0008 8901 2');
    const r = b.reference;
    const formatted = `${r.slice(0, 2)} ${r.slice(2).match(/.{5}/g)!.join(' ')}`;
    expect(formatted).toMatch(/^00 00000 00000 00002 02600 0123\d$/);
    expect(text).toContain(formatted);
    expect(text).toContain('Démarche JU-2026-000123');
    // The debtor, structured.
    expect(text).toContain('Jeanne Exemple');
    expect(text).toContain('Rue du Marché 12b');
    expect(text).toContain('2350 Saignelégier');
  });

  it('in German, with the largest amount a QR-bill takes (999 999 999.99)', async () => {
    const { text } = await pdfText(
      await qrBillPdf(
        bill({ language: 'de', amountCents: MAX_AMOUNT_CENTS, heading: { title: 'Gebühr: Wohnsitzbestätigung', lines: ['Geschäft JU-2026-000123'] } }),
      ),
    );
    expect(text).toContain('Gebühr: Wohnsitzbestätigung');
    expect(text).toContain('Empfangsschein');
    expect(text).toContain('Zahlteil');
    expect(text).toContain('999 999 999.99');
  });

  it('an ordinary IBAN with an RF creditor reference', async () => {
    const reference = creditorReference('2026000123');
    expect(isCreditorReference(reference)).toBe(true);
    const { text } = await pdfText(await qrBillPdf(bill({ creditor: { ...creditor, account: IBAN }, reference })));
    expect(text).toContain('CH93 0076 2011 6238 5295 7');
    expect(text).toContain(reference.match(/.{1,4}/g)!.join(' '));
  });
});

describe('bills that are refused, naming the field', () => {
  it('a refusal is a non-retryable ApplicationFailure (an activity stops at once), the field in its details', async () => {
    const err = await refusalOf(qrBillPdf(bill({ amountCents: 0 })));
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err).toMatchObject({ type: QR_BILL_ERROR, nonRetryable: true, details: [{ field: 'amountCents', code: null }] });
  });

  it.each([
    ['with wrong check digits', 'CH44 3199 9123 0008 8901 3'],
    ['that is too short', 'CH44 3199 9123 0008 8901'],
    ['that is not Swiss', 'DE89 3704 0044 0532 0130 00'],
  ])('an IBAN %s: creditor.account', async (_what, account) => {
    const err = await refusalOf(qrBillPdf(bill({ creditor: { ...creditor, account } })));
    expect(err.field).toBe('creditor.account');
    expect(err.message).toMatch(/^QR-bill: creditor\.account: /);
    expect(err.message).not.toContain(account.replace(/ /g, ''));
  });

  it.each([
    ['over 999 999 999.99', MAX_AMOUNT_CENTS + 1],
    ['zero', 0],
    ['a fraction of a centime', 2000.5],
  ])('an amount %s: amountCents', async (_what, amountCents) => {
    const err = await refusalOf(qrBillPdf(bill({ amountCents })));
    expect(err.field).toBe('amountCents');
    expect(err.message).toContain("999'999'999.99");
  });

  it('a reference that does not fit the account: a QR-IBAN needs a QRR, an IBAN an RF reference', async () => {
    expect((await refusalOf(qrBillPdf(bill({ reference: creditorReference('2026000123') })))).field).toBe('reference');
    expect((await refusalOf(qrBillPdf(bill({ reference: '210000000003139471430009018' })))).field).toBe('reference');
    expect((await refusalOf(qrBillPdf(bill({ creditor: { ...creditor, account: IBAN } })))).field).toBe('reference');
  });

  it('what swissqrbill refuses (a town over 35 characters, a message over 140) is named too, without the value', async () => {
    const town = 'Saint-Ursanne-les-Bains-sur-le-Doubs-et-environs';
    const err = await refusalOf(qrBillPdf(bill({ debtor: { ...debtor, town } })));
    expect(err).toMatchObject({ field: 'debtor.town', code: 'DEBTOR_CITY_LENGTH_IS_INVALID' });
    expect(err.message).not.toContain(town);
    expect(await refusalOf(qrBillPdf(bill({ message: 'x'.repeat(141) })))).toMatchObject({ field: 'message', code: 'MESSAGE_LENGTH_IS_INVALID' });
    expect((await refusalOf(qrBillPdf(bill({ debtor: { ...debtor, postalCode: ' ' } })))).field).toBe('debtor.postalCode');
    expect((await refusalOf(qrBillPdf(bill({ creditor: { ...creditor, country: 'Suisse' } })))).field).toBe('creditor.country');
  });
});
