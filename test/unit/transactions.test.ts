// What a submission's files are checked for (their real type, size and number), the receipt's
// number, and the street split a structured address (QR-bill) needs.
import { splitStreet } from '../../activities/services';
import { attachmentIssues, receiptNumber, sniffContentType } from '../../domain/services';
import { profiles } from '../../domain/profiles';
import { samplePdf } from '../support/decisions';
import { qrBillTexts, receiptTexts } from '../../activities/transaction-documents';
import { renderTextPdf } from '../../infra/pdf';
import { qrBillPdf, qrReference } from '../../infra/qr-bill';
import { juraNamesIn } from '../support/canton-names';
import { pdfText } from '../support/pdf';

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
const JPEG = Buffer.from('ffd8ffe000104a464946', 'hex');
const rules = profiles.JU.services.attachments;

it('knows a file by its first bytes, not by what the sender says it is', () => {
  expect(sniffContentType(samplePdf())).toBe('application/pdf');
  expect(sniffContentType(PNG)).toBe('image/png');
  expect(sniffContentType(JPEG)).toBe('image/jpeg');
  expect(sniffContentType(Buffer.from('MZ\x90\x00'))).toBeNull();
  expect(sniffContentType(Buffer.from(''))).toBeNull();
});

it('names each file that is not acceptable, and why', () => {
  const ok = { name: 'a.pdf', contentType: 'application/pdf', bytes: samplePdf() };
  expect(attachmentIssues([ok, { name: 'b.png', contentType: 'image/png', bytes: PNG }], rules)).toEqual([]);
  expect(attachmentIssues([{ name: 'x.png', contentType: 'image/png', bytes: JPEG }], rules)).toEqual([
    { path: 'attachments.0.content', issue: 'is not a image/png file (it is image/jpeg)' },
  ]);
  expect(attachmentIssues([{ name: 'e.pdf', contentType: 'application/pdf', bytes: Buffer.alloc(0) }], rules)).toEqual([
    { path: 'attachments.0.content', issue: 'the file is empty' },
  ]);
  const big = Buffer.concat([samplePdf(), Buffer.alloc(rules.maxBytes)]);
  expect(attachmentIssues([{ name: 'big.pdf', contentType: 'application/pdf', bytes: big }], rules)).toEqual([
    { path: 'attachments.0.content', issue: 'larger than 10 MiB' },
  ]);
  expect(
    attachmentIssues(
      Array.from({ length: rules.maxCount + 1 }, () => ok),
      rules,
    )[0],
  ).toEqual({ path: 'attachments', issue: `at most ${rules.maxCount} files` });
});

it('numbers receipts by canton and year, without personal data', () => {
  expect(receiptNumber('JU', 2026, 42)).toBe('JU-2026-000042');
  expect(receiptNumber('NE', 2027, 1234567n)).toBe('NE-2027-1234567');
});

it('splits a street line into street and building number for a structured address', () => {
  expect(splitStreet('Rue du Marché 12b')).toEqual({ street: 'Rue du Marché', buildingNumber: '12b' });
  expect(splitStreet("Chemin du Bel'Oiseau 12")).toEqual({ street: "Chemin du Bel'Oiseau", buildingNumber: '12' });
  expect(splitStreet('Le Pré-Dessous')).toEqual({ street: 'Le Pré-Dessous' });
});

it("a Neuchâtel commune's receipt and QR-bill, as the user reads them, name nothing of Jura", async () => {
  const voice = { ruleSetId: 'NE-GU-2025' };
  const receipt = receiptTexts(
    {
      receiptNumber: 'NE-2026-000007',
      serviceTitle: 'Attestation de domicile',
      unitName: 'Commune de Neuchâtel',
      submittedOn: '2026-12-02',
      submittedAt: '10:15',
      attachments: [],
      fee: 'CHF 20.00',
    },
    voice,
  );
  const receiptPdf = await pdfText(await renderTextPdf({ ...receipt, at: new Date('2026-12-02T09:15:00Z') }));
  expect(receiptPdf.text).toContain('Accusé de réception NE-2026-000007');
  expect(receiptPdf.text).toContain('Guichet unique');
  const texts = qrBillTexts(
    { receiptNumber: 'NE-2026-000007', serviceTitle: 'Attestation de domicile', unitName: 'Commune de Neuchâtel', dueDay: '2027-01-04' },
    voice,
  );
  const bill = await pdfText(
    await qrBillPdf({
      creditor: {
        account: 'CH4431999123000889012',
        name: 'Commune de Neuchâtel',
        street: 'Faubourg du Lac',
        buildingNumber: '3',
        postalCode: '2000',
        town: 'Neuchâtel',
        country: 'CH',
      },
      debtor: { name: 'Anne Exemple', street: 'Rue du Seyon', buildingNumber: '10', postalCode: '2000', town: 'Neuchâtel', country: 'CH' },
      amountCents: 2000,
      reference: qrReference('2026000007'),
      message: texts.message,
      language: 'fr',
      heading: texts.heading,
    }),
  );
  expect(bill.text).toContain('20.00');
  expect(bill.text).toContain('4 janvier 2027');
  expect(juraNamesIn(`${receiptPdf.text} ${bill.text}`)).toEqual([]);
});
