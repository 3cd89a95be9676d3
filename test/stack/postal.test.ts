// The registered letter of the second service (Art. 16 al. 5): the PDF we render, and the HTTP
// postal adapter against the fake postal gateway over real HTTP — idempotent posting, and how
// the adapter fails (retryable or not decides what Temporal does).
import { ApplicationFailure } from '@temporalio/common';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { countPdfPages, renderRegisteredLetter, winAnsiText, type RegisteredLetterInput } from '../../activities/letter-pdf';
import { createHttpPostalGateway, type PostalGateway } from '../../activities/postal';
import { startFakePostal, trackingNumberFor, type FakePostal } from '../../fakes/postal/server';
import { freePort } from '../../scripts/lib/ports';
import { pdfText } from '../support/pdf';

const DECISION_SHA = createHash('sha256').update('the decision document').digest('hex');
const REMEDY_TEXT =
  "La présente décision peut faire l'objet d'une opposition écrite et motivée auprès du Service de la population, " +
  'Rue du 24-Septembre 1, 2800 Delémont (art. 94 ss du Code de procédure administrative, RSJU 175.1).';

const INPUT: RegisteredLetterInput = {
  unit: { name: 'Service de la population', address: ['Rue du 24-Septembre 1', 'Case postale', '2800 Delémont'] },
  recipient: { name: 'Lucie Exemple-Müller', street: 'Rue de la Préfecture 12', postCode: '2900', locality: 'Porrentruy' },
  reference: 'SPOP-2026-0042',
  title: "Décision d'octroi d'une autorisation de séjour",
  decisionSha256: DECISION_SHA,
  service: { kind: 'second', communicatedOn: '2026-11-20', windowLastDay: '2026-11-30' },
  remedy: { kind: 'opposition', days: 30, text: REMEDY_TEXT },
  sentOn: '2026-12-01',
};

const flat = (s: string) => s.replace(/\s+/g, ' ');

/** The error a promise rejects with. */
async function failureOf(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

function expectRetryable(err: Error, reason: RegExp): void {
  expect(err).not.toBeInstanceOf(ApplicationFailure);
  expect(err.message).toContain('postal gateway');
  expect(err.message).toMatch(reason);
  expect(err.message).not.toMatch(/Exemple|Préfecture|Porrentruy/); // no personal data
}

function expectProtocolError(err: Error, reason: RegExp): void {
  expect(err).toBeInstanceOf(ApplicationFailure);
  expect(err).toMatchObject({ nonRetryable: true, type: 'PostalProtocolError' });
  expect(err.message).toMatch(reason);
  expect(err.message).not.toMatch(/Exemple|Préfecture|Porrentruy/);
}

describe('the registered letter (PDF)', () => {
  let pdf: Buffer;
  beforeAll(async () => {
    pdf = await renderRegisteredLetter(INPUT);
    const dir = join(__dirname, '..', '..', 'test-artifacts');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'letter-sample.pdf'), pdf);
  });

  it('is a PDF, one A4 page here', async () => {
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect((await pdfText(pdf)).pages).toBe(1);
    expect(pdf.toString('latin1')).toMatch(/\/MediaBox \[0 0 595\.28 841\.89\]/);
  });

  it('carries, as extractable text, everything the recipient and the post need', async () => {
    const { text } = await pdfText(pdf);
    // Recipient block, the postal mention, the sender.
    expect(text).toContain('RECOMMANDÉ');
    expect(text).toContain('Lucie Exemple-Müller');
    expect(text).toContain('Rue de la Préfecture 12');
    expect(text).toContain('2900 Porrentruy');
    expect(text).toContain('Service de la population');
    expect(text).toContain('2800 Delémont');
    // Place and date, subject, the story of the first service.
    expect(text).toContain('Delémont, le 1er décembre 2026');
    expect(text).toContain('Notification de décision — réf. SPOP-2026-0042');
    expect(text).toContain('Le 20 novembre 2026');
    expect(text).toContain('30 novembre 2026');
    expect(text).toMatch(/article 16, alinéa 5/);
    // The decision and its fingerprint.
    expect(text).toContain("Décision d'octroi d'une autorisation de séjour");
    expect(text).toContain(DECISION_SHA);
    // The remedy: the unit's text, the period and from when it counts.
    expect(text).toContain(flat(REMEDY_TEXT));
    expect(text).toContain("Délai d'opposition : 30 jours, à compter du lendemain de la réception");
    expect(text).toMatch(/art\. 17/);
    expect(text).toContain('Décision jointe');
  });

  it('the same input gives the same bytes (the creation date is the day of sending)', async () => {
    const again = await renderRegisteredLetter(INPUT);
    expect(again.equals(pdf)).toBe(true);
    const later = await renderRegisteredLetter({ ...INPUT, sentOn: '2026-12-02' });
    expect(later.equals(pdf)).toBe(false);
  });

  it('an appeal with 10 days; the page count of a decision PDF given', async () => {
    const decisionPdf = await renderRegisteredLetter({ ...INPUT, reference: 'DECISION-ITSELF' });
    const letter = await renderRegisteredLetter({
      ...INPUT,
      decisionSha256: createHash('sha256').update(decisionPdf).digest('hex'),
      decisionPdf,
      remedy: { kind: 'appeal', days: 10, text: 'Recours auprès de la Cour administrative du Tribunal cantonal, 2900 Porrentruy.' },
    });
    const { text } = await pdfText(letter);
    expect(text).toContain('Délai de recours : 10 jours');
    expect(text).toContain('Le recours ne peut pas être formé');
    expect(text).toContain('Décision jointe (1 page)');
  });

  it('a decision PDF that does not match its SHA-256, or a bad input: non-retryable, naming fields not values', async () => {
    const wrong = await failureOf(renderRegisteredLetter({ ...INPUT, decisionPdf: Buffer.from('%PDF-1.4 other') }));
    expect(wrong).toMatchObject({ nonRetryable: true, type: 'LetterInputError' });
    const bad = await failureOf(renderRegisteredLetter({ ...INPUT, sentOn: '01.12.2026', recipient: { ...INPUT.recipient, street: '' } }));
    expect(bad).toMatchObject({ nonRetryable: true, type: 'LetterInputError' });
    expect(bad.message).toMatch(/sentOn/);
    expect(bad.message).toMatch(/recipient\.street/);
    expect(bad.message).not.toContain('01.12.2026');
  });

  it.each([
    [
      'no-consent',
      /Vous n'avez pas autorisé Service de la population à vous notifier par le biais du guichet virtuel sécurisé les décisions de ce domaine \(article 16, alinéa 1/,
    ],
    ['contract-blocked', /Votre accès au guichet virtuel sécurisé est bloqué ou a pris fin/],
    ['unit-choice', /Service de la population a choisi de vous notifier cette décision selon les formes usuelles \(article 16, alinéa 2/],
    ['not-a-user', /Vous n'êtes pas utilisateur ou utilisatrice du guichet virtuel sécurisé\./],
  ] as const)('a first service by post (%s) says why, and nothing of a window or a second service', async (reason, why) => {
    // A word hyphenated at a line's end comes out of the PDF as "ci- dessous": joined again.
    const text = (await pdfText(await renderRegisteredLetter({ ...INPUT, service: { kind: 'first', reason } }))).text.replace(/(\w)- (\w)/g, '$1-$2');
    expect(text).toMatch(why);
    expect(text).toContain('La décision désignée ci-dessous vous est dès lors notifiée par le présent envoi recommandé.');
    expect(text).toContain("Le délai d'opposition court à compter de la réception du présent envoi.");
    for (const untrue of ['seconde', 'alinéa 5', 'délai de consultation', 'mise à votre disposition', '20 novembre 2026', '30 novembre 2026'])
      expect(text).not.toContain(untrue);
  });

  it('the second service states when the decision was put in the counter and that the window passed', async () => {
    const { text } = await pdfText(
      await renderRegisteredLetter({ ...INPUT, service: { kind: 'second', communicatedOn: '2026-03-02', windowLastDay: '2026-03-12' } }),
    );
    expect(text).toContain('Le 2 mars 2026, la décision désignée ci-dessous a été mise à votre disposition dans le guichet virtuel sécurisé.');
    expect(text).toContain("Vous n'en avez pas pris connaissance au plus tard le 12 mars 2026, dernier jour du délai de consultation.");
    expect(text).toContain('elle vous est dès lors notifiée une seconde fois');
  });

  it('names outside the standard fonts are transliterated, not garbled', async () => {
    expect(winAnsiText('Łukasz Wałęsa — Ørsted, Şahin')).toBe('Lukasz Walesa — Ørsted, Sahin');
    const { text } = await pdfText(await renderRegisteredLetter({ ...INPUT, recipient: { ...INPUT.recipient, name: 'Łukasz Wałęsa' } }));
    expect(text).toContain('Lukasz Walesa');
  });

  it('counts the pages of a PDF without a parser', () => {
    expect(countPdfPages(pdf)).toBe(1);
    expect(countPdfPages(Buffer.from('not a pdf'))).toBeNull();
  });
});

describe('posting through the adapter to the fake postal gateway', () => {
  let fake: FakePostal;
  let postal: PostalGateway;
  let pdf: Buffer;
  const recipient = INPUT.recipient;

  beforeAll(async () => {
    fake = await startFakePostal({ port: await freePort() });
    postal = createHttpPostalGateway({ url: fake.url, timeoutMs: 2000 });
    pdf = await renderRegisteredLetter(INPUT);
  });
  afterAll(async () => {
    await fake?.close();
  });
  afterEach(() => {
    fake.setOutage(false);
    fake.setLatency(0);
  });

  it('posts a letter: a Swiss Post style tracking number, the letter kept with its PDF', async () => {
    const { trackingNumber } = await postal.sendRegistered({ letterId: 'dec-0001', recipient, pdf });
    expect(trackingNumber).toMatch(/^98\.00\.\d{6}\.\d{8}$/);
    expect(trackingNumber).toBe(trackingNumberFor('dec-0001'));

    const letter = fake.letters().find((l) => l.letterId === 'dec-0001');
    expect(letter).toMatchObject({ trackingNumber, recipient, pdfBytes: pdf.length, pdfSha256: createHash('sha256').update(pdf).digest('hex') });
    expect(letter).not.toHaveProperty('pdf');
    expect(fake.pdfOf('dec-0001')?.equals(pdf)).toBe(true);

    const control = (await (await fetch(`${fake.url}/_control/letters`)).json()) as { letters: { letterId: string; pdfSha256: string; pdfBytes: number }[] };
    expect(control.letters.find((l) => l.letterId === 'dec-0001')).toMatchObject({ pdfBytes: pdf.length, pdfSha256: letter!.pdfSha256 });

    const res = await fetch(`${fake.url}/v1/registered-letters/dec-0001`);
    expect(res.status).toBe(200);
    const record = (await res.json()) as Record<string, unknown>;
    expect(record).toMatchObject({ letterId: 'dec-0001', trackingNumber });
    expect(record).not.toHaveProperty('pdf');
    expect(record).not.toHaveProperty('pdfBase64');
    expect((await fetch(`${fake.url}/v1/registered-letters/nope`)).status).toBe(404);
  });

  it('the same letter again (a retry): the same tracking number, one letter', async () => {
    const first = await postal.sendRegistered({ letterId: 'dec-0002', recipient, pdf });
    const again = await postal.sendRegistered({ letterId: 'dec-0002', recipient, pdf: Buffer.from(pdf) });
    expect(again).toEqual(first);
    expect(fake.letters().filter((l) => l.letterId === 'dec-0002')).toHaveLength(1);

    const raw = await fetch(`${fake.url}/v1/registered-letters`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ letterId: 'dec-0002', recipient, pdfBase64: pdf.toString('base64') }),
    });
    expect(raw.status).toBe(200);
    await expect(raw.json()).resolves.toEqual({ letterId: 'dec-0002', trackingNumber: first.trackingNumber });
  });

  it('another PDF under the same letterId: 409, a non-retryable protocol error', async () => {
    await postal.sendRegistered({ letterId: 'dec-0003', recipient, pdf });
    const other = await renderRegisteredLetter({ ...INPUT, reference: 'SPOP-2026-0099' });
    expectProtocolError(await failureOf(postal.sendRegistered({ letterId: 'dec-0003', recipient, pdf: other })), /409/);
    expect(fake.pdfOf('dec-0003')?.equals(pdf)).toBe(true);
  });

  it('an invalid letter: 400, a non-retryable protocol error naming the fields only', async () => {
    const err = await failureOf(postal.sendRegistered({ letterId: 'dec-0004', recipient: { ...recipient, postCode: 'F-25000' }, pdf }));
    expectProtocolError(err, /400.*recipient\.postCode/);
    expect(err.message).not.toContain('F-25000');
    expectProtocolError(await failureOf(postal.sendRegistered({ letterId: 'dec-0005', recipient, pdf: Buffer.from('not a pdf') })), /pdfBase64/);
    expectProtocolError(await failureOf(postal.sendRegistered({ letterId: 'bad id/with slash', recipient, pdf })), /letterId/);
    expect(fake.letters().some((l) => ['dec-0004', 'dec-0005'].includes(l.letterId))).toBe(false);
  });

  it('an outage: a retryable error, then the same call succeeds once the gateway is back', async () => {
    const res = await fetch(`${fake.url}/_control/outage`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"down":true}' });
    expect(res.status).toBe(200);
    expectRetryable(await failureOf(postal.sendRegistered({ letterId: 'dec-0006', recipient, pdf })), /503/);
    expect(fake.letters().some((l) => l.letterId === 'dec-0006')).toBe(false);

    fake.setOutage(false);
    const { trackingNumber } = await postal.sendRegistered({ letterId: 'dec-0006', recipient, pdf });
    expect(trackingNumber).toBe(trackingNumberFor('dec-0006'));
  });

  it('a gateway slower than the timeout, or unreachable: retryable', async () => {
    const impatient = createHttpPostalGateway({ url: fake.url, timeoutMs: 100 });
    fake.setLatency(1000);
    expectRetryable(await failureOf(impatient.sendRegistered({ letterId: 'dec-0007', recipient, pdf })), /no answer within 100 ms/);
    fake.setLatency(0);
    const gone = createHttpPostalGateway({ url: `http://127.0.0.1:${await freePort()}`, timeoutMs: 1000 });
    expectRetryable(await failureOf(gone.sendRegistered({ letterId: 'dec-0008', recipient, pdf })), /unreachable/);
  });

  it('rejects a malformed control request', async () => {
    const res = await fetch(`${fake.url}/_control/outage`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"down":"yes"}' });
    expect(res.status).toBe(400);
  });
});

describe('an answer the adapter cannot read', () => {
  let server: Server;
  let base: string;
  let answer: { status: number; body: string };
  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(answer.status, { 'content-type': 'application/json' });
        res.end(answer.body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it.each([
    ['not JSON', 201, '<html>oops</html>', /not JSON/],
    ['no tracking number', 201, JSON.stringify({ letterId: 'x-1' }), /trackingNumber/],
    ['another letter', 201, JSON.stringify({ letterId: 'x-2', trackingNumber: '98.00.123456.12345678' }), /another letter/],
  ])('%s: a non-retryable protocol error', async (_what, status, body, reason) => {
    answer = { status, body };
    const odd = createHttpPostalGateway({ url: base, timeoutMs: 1000 });
    expectProtocolError(await failureOf(odd.sendRegistered({ letterId: 'x-1', recipient: INPUT.recipient, pdf: Buffer.from('%PDF-1.4') })), reason);
  });

  it('a 502 from a proxy: retryable', async () => {
    answer = { status: 502, body: '{}' };
    const odd = createHttpPostalGateway({ url: base, timeoutMs: 1000 });
    expectRetryable(await failureOf(odd.sendRegistered({ letterId: 'x-1', recipient: INPUT.recipient, pdf: Buffer.from('%PDF-1.4') })), /502/);
  });
});
