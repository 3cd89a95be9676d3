// A transaction with a fee (Art. 15; seed 001) through the API: the residence attestation of a
// commune, asked for with the service's form (checked field by field) and a file (checked by
// its real type); the receipt's number at once and its PDF in the inbox; the QR-bill (with
// structured addresses) in the inbox; payment through the fake provider (Datatrans's API), its
// signed callback moving the process on; the commune answers with the attestation, which the
// engine seals (PAdES) into the citizen's inbox, and the seal verifies with the published
// certificate. A refusal gives the fee back through the provider.
import request from 'supertest';
import { verifySealedPdf } from '../../infra/seal';
import { activeCitizen } from '../support/contracts';
import { samplePdf } from '../support/decisions';
import { pdfText } from '../support/pdf';
import { startStack, waitFor, type Stack } from '../support/stack';
import { upsertTestService } from '../support/units';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ services: true });
  // The demo commune and its service, as npm start seeds them (the catalogue's own form).
  const { seedDemoServices, seedDemoUnits } = await import('../../scripts/lib/demo-data');
  await seedDemoUnits(stack.db, 'JU');
  await seedDemoServices(stack.db, 'JU');
});
afterAll(async () => {
  await stack?.stop();
});

const bearer = (t: string) => ({ Authorization: `Bearer ${t}` });
const SERVICE = 'attestation-de-residence';

async function citizenWithAccess() {
  const c = await activeCitizen(stack);
  const { user, token } = c;
  const commune = await stack.token({ role: 'unit', sub: 'agent-commune', unit: 'COMMUNE-DELEMONT', domains: ['habitants'] });
  // Access to the commune's service on request, granted by the commune.
  const asked = await request(stack.app).post('/v1/access-requests').set(bearer(token)).send({ service: SERVICE, avsNumber: user.avsNumber, email: c.email });
  expect(asked.status).toBe(202);
  await waitFor(
    async () => (await request(stack.app).get(`/v1/access-requests/${asked.body.requestId}`).set(bearer(token))).body.state,
    (s) => s === 'awaiting-unit',
  );
  expect((await request(stack.app).post(`/v1/access-requests/${asked.body.requestId}/decision`).set(bearer(commune)).send({ outcome: 'grant' })).status).toBe(
    200,
  );
  return { ...c, user, token, commune };
}

const inbox = async (token: string) =>
  (await request(stack.app).get('/v1/me/inbox').set(bearer(token))).body.documents as { id: string; kind: string; sealed: boolean; transactionId: string }[];
const pdfOf = async (token: string, id: string) => {
  const res = await request(stack.app)
    .get(`/v1/me/inbox/${id}`)
    .set(bearer(token))
    .buffer(true)
    .parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    });
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toContain('application/pdf');
  return res.body as Buffer;
};
const status = async (token: string, id: string) => (await request(stack.app).get(`/v1/transactions/${id}`).set(bearer(token))).body;

it('checks the form field by field and the files by their real type, and stores nothing on a refusal', async () => {
  const c = await citizenWithAccess();
  const bad = await request(stack.app)
    .post('/v1/transactions')
    .set(bearer(c.token))
    .send({ service: SERVICE, form: { kind: 'passeport', copies: 9, colour: 'bleu' } });
  expect(bad.status).toBe(400);
  const paths = (bad.body.error.details as { path: string; issue: string }[]).map((d) => d.path).sort();
  expect(paths).toEqual(['form.colour', 'form.copies', 'form.for', 'form.kind']);
  expect(bad.body.error.details).toContainEqual({ path: 'form.for', issue: 'required' });
  // A "PDF" that is not one, and a type the service does not take.
  const fake = await request(stack.app)
    .post('/v1/transactions')
    .set(bearer(c.token))
    .send({
      service: SERVICE,
      form: { kind: 'domicile', for: 'self' },
      attachments: [
        { name: 'bail.pdf', contentType: 'application/pdf', content: Buffer.from('MZ\x90\x00 not a pdf').toString('base64') },
        { name: 'macro.docm', contentType: 'application/vnd.ms-word', content: Buffer.from('PK').toString('base64') },
      ],
    });
  expect(fake.status).toBe(400);
  expect(fake.body.error.details).toEqual([
    { path: 'attachments.0.content', issue: 'is not a application/pdf file' },
    { path: 'attachments.1.contentType', issue: 'must be one of application/pdf, image/png, image/jpeg' },
    { path: 'attachments.1.content', issue: 'is not a application/vnd.ms-word file' },
  ]);
  const unknown = await request(stack.app).post('/v1/transactions').set(bearer(c.token)).send({ service: 'no-such-service', form: {} });
  expect(unknown.status).toBe(422);
  expect(await stack.db.transaction.count({ where: { citizenSub: c.sub } })).toBe(0);
});

it('a receipt at once, a QR-bill, payment by the provider, and the commune’s attestation sealed into the inbox', async () => {
  const c = await citizenWithAccess();
  const lease = samplePdf('Contrat de bail');
  const submitted = await request(stack.app)
    .post('/v1/transactions')
    .set(bearer(c.token))
    .set('Idempotency-Key', `attest-${c.sub}`)
    .send({
      service: SERVICE,
      form: { kind: 'domicile', for: 'self', copies: 1 },
      attachments: [{ name: 'bail.pdf', contentType: 'application/pdf', content: lease.toString('base64') }],
    });
  expect(submitted.status).toBe(202);
  const id = submitted.body.transactionId as string;
  const receiptNumber = submitted.body.receiptNumber as string;
  expect(receiptNumber).toMatch(/^JU-\d{4}-\d{6}$/);
  // The same request again (a retry): the same transaction, nothing doubled.
  const again = await request(stack.app)
    .post('/v1/transactions')
    .set(bearer(c.token))
    .set('Idempotency-Key', `attest-${c.sub}`)
    .send({
      service: SERVICE,
      form: { kind: 'domicile', for: 'self', copies: 1 },
      attachments: [{ name: 'bail.pdf', contentType: 'application/pdf', content: lease.toString('base64') }],
    });
  expect(again.body).toMatchObject({ transactionId: id, receiptNumber });
  expect(await stack.db.transaction.count({ where: { citizenSub: c.sub } })).toBe(1);

  // The fee first: the receipt and the QR-bill in the inbox.
  const waiting = await waitFor(
    () => status(c.token, id),
    (s) => s.state === 'awaiting-payment',
  );
  expect(waiting.payment).toMatchObject({ state: 'pending', feeCents: 2000 });
  const docs = await waitFor(
    () => inbox(c.token),
    (d) => d.filter((x) => x.transactionId === id).length === 2,
  );
  const receipt = await pdfText(await pdfOf(c.token, docs.find((d) => d.kind === 'receipt' && d.transactionId === id)!.id));
  expect(receipt.text).toContain(`Accusé de réception ${receiptNumber}`);
  expect(receipt.text).toContain('Commune de Delémont');
  expect(receipt.text).toContain('bail.pdf');
  expect(receipt.text).toContain('CHF 20.00');
  const bill = await pdfText(await pdfOf(c.token, docs.find((d) => d.kind === 'qr-bill' && d.transactionId === id)!.id));
  expect(bill.text).toContain('20.00');
  expect(bill.text).toContain('Commune de Delémont');
  expect(bill.text).toContain(`${c.user.firstName} ${c.user.lastName}`);
  expect(bill.text).toContain(receiptNumber);
  const told = await stack.mail.waitFor((m) => m.to.includes(c.email.toLowerCase()) && m.subject.startsWith('Émolument à payer'), 20_000);
  expect(told.text).toContain('CHF 20.00');
  // The commune cannot answer before the fee is paid.
  expect((await request(stack.app).post(`/v1/transactions/${id}/answer`).set(bearer(c.commune)).send({ outcome: 'accept' })).status).toBe(409);

  // Online: the provider's page, then its signed callback.
  const pay = await request(stack.app).post(`/v1/transactions/${id}/payment`).set(bearer(c.token));
  expect(pay.status).toBe(201);
  expect(pay.body.paymentUrl).toContain(pay.body.providerTransactionId);
  const page = await fetch(pay.body.paymentUrl);
  expect(page.status).toBe(200);
  expect(await page.text()).toContain('20.00');
  // A forged callback (no signature) is refused.
  const forged = await fetch(`${stack.apiUrl}/v1/payment-events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      transactionId: pay.body.providerTransactionId,
      status: 'settled',
      refno: 'x',
      currency: 'CHF',
      detail: { settle: { amount: 2000 } },
    }),
  });
  expect(forged.status).toBe(401);
  expect((await status(c.token, id)).state).toBe('awaiting-payment');
  const paid = await fetch(`${stack.payments!.url}/_control/transactions/${pay.body.providerTransactionId}/pay`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ outcome: 'settle' }),
  });
  expect(paid.ok).toBe(true);
  const handled = await waitFor(
    () => status(c.token, id),
    (s) => s.state === 'awaiting-unit' && s.taskId,
  );
  expect(handled.payment).toMatchObject({ state: 'paid' });

  // The commune sees it in its inbox and answers with the attestation.
  const tasks = (await request(stack.app).get('/v1/tasks').query({ kind: 'transaction' }).set(bearer(c.commune))).body.items as { taskId: string }[];
  expect(tasks.map((t) => t.taskId)).toContain(handled.taskId);
  const unitView = await request(stack.app).get(`/v1/transactions/${id}`).set(bearer(c.commune));
  expect(unitView.body).toMatchObject({ form: { kind: 'domicile', for: 'self' }, attachments: [{ name: 'bail.pdf', contentType: 'application/pdf' }] });
  const other = await stack.token({ role: 'unit', sub: 'agent-spop', unit: 'SPOP', domains: ['population'] });
  expect((await request(stack.app).get(`/v1/transactions/${id}`).set(bearer(other))).status).toBe(404);
  const attestation = samplePdf('Attestation de domicile');
  const accepted = await request(stack.app)
    .post(`/v1/transactions/${id}/answer`)
    .set(bearer(c.commune))
    .send({ outcome: 'accept', document: { title: 'Attestation de domicile', content: attestation.toString('base64') } });
  expect(accepted.status).toBe(200);
  expect(accepted.body).toMatchObject({ state: 'accepted', outcome: 'accept' });

  // In the inbox, sealed; the seal verifies with the certificate anyone can fetch.
  const sealedDoc = (await inbox(c.token)).find((d) => d.transactionId === id && d.kind === 'attestation')!;
  expect(sealedDoc.sealed).toBe(true);
  const pdf = await pdfOf(c.token, sealedDoc.id);
  expect((await pdfText(pdf)).text).toContain('Attestation de domicile');
  const cert = await request(stack.app).get('/v1/seal/certificate');
  expect(cert.status).toBe(200);
  const verdict = await verifySealedPdf(pdf, cert.text ?? cert.body.toString());
  expect(verdict).toMatchObject({ valid: true, coversWholeDocument: true, subFilter: 'ETSI.CAdES.detached' });
  // Changed by one byte, it no longer verifies.
  const tampered = Buffer.from(pdf);
  tampered[200] = tampered[200]! ^ 0x01;
  expect((await verifySealedPdf(tampered, cert.text ?? cert.body.toString())).valid).toBe(false);
  // Nobody else reads it. A counsellor sees only what he filed for her, in the session she opened for him.
  const stranger = await stack.token({ role: 'citizen', sub: 'someone-else' });
  expect((await request(stack.app).get(`/v1/me/inbox/${sealedDoc.id}`).set(bearer(stranger))).status).toBe(404);
  const counsellorSub = `counsellor-${id.slice(0, 8)}`;
  const counsellor = await stack.token({ role: 'counsellor', sub: counsellorSub });
  expect((await request(stack.app).get(`/v1/me/inbox/${sealedDoc.id}`).set(bearer(counsellor))).status).toBe(404);
  const session = await request(stack.app).post('/v1/me/assisted-sessions').set(bearer(c.token)).send({ counsellorSub, postOffice: 'Poste de Delémont' });
  expect(session.status).toBe(201);
  await upsertTestService(stack.db, { id: 'extrait-libre', unitId: 'COMMUNE-DELEMONT', access: 'free' });
  const forHer = await request(stack.app).post('/v1/transactions').set(bearer(counsellor)).send({ service: 'extrait-libre', form: {}, onBehalfOf: c.sub });
  expect(forHer.status).toBe(202);
  const hers = await waitFor(
    async () => (await request(stack.app).get(`/v1/transactions/${forHer.body.transactionId}`).set(bearer(counsellor))).body,
    (b) => (b.documents as { kind: string }[] | undefined)?.some((d) => d.kind === 'receipt') === true,
  );
  const receiptId = (hers.documents as { id: string; kind: string }[]).find((d) => d.kind === 'receipt')!.id;
  expect((await request(stack.app).get(`/v1/me/inbox/${receiptId}`).set(bearer(counsellor))).status).toBe(200);
  expect((await request(stack.app).get(`/v1/me/inbox/${sealedDoc.id}`).set(bearer(counsellor))).status).toBe(404);
  expect((await request(stack.app).post(`/v1/me/assisted-sessions/${session.body.sessionId}/close`).set(bearer(c.token))).status).toBe(200);
  expect((await request(stack.app).get(`/v1/me/inbox/${receiptId}`).set(bearer(counsellor))).status).toBe(403);
  await stack.mail.waitFor((m) => m.to.includes(c.email.toLowerCase()) && m.subject.startsWith('Démarche acceptée'), 20_000);

  // The case's timeline for the commune: what happened, without personal data; not the citizen's to read.
  const tl = await request(stack.app).get(`/v1/transactions/${id}/timeline`).set(bearer(c.commune));
  expect(tl.status).toBe(200);
  expect((tl.body.events as { kind: string }[]).map((e) => e.kind)).toEqual(
    expect.arrayContaining(['submitted', 'paid', 'task-opened', 'task-completed', 'accepted']),
  );
  for (const secret of [c.user.avsNumber, c.user.lastName, c.email]) expect(JSON.stringify(tl.body)).not.toContain(secret);
  expect((await request(stack.app).get(`/v1/transactions/${id}/timeline`).set(bearer(c.token))).status).toBe(403);
});

it('a paid transaction the unit refuses, with reasons, gets its fee back through the provider', async () => {
  const c = await citizenWithAccess();
  await upsertTestService(stack.db, { id: 'copie-certifiee', unitId: 'COMMUNE-DELEMONT', access: 'free', feeCents: 1500 });
  const id = (await request(stack.app).post('/v1/transactions').set(bearer(c.token)).send({ service: 'copie-certifiee', form: {} })).body
    .transactionId as string;
  await waitFor(
    () => status(c.token, id),
    (s) => s.state === 'awaiting-payment',
  );
  const pay = await request(stack.app).post(`/v1/transactions/${id}/payment`).set(bearer(c.token));
  await fetch(`${stack.payments!.url}/_control/transactions/${pay.body.providerTransactionId}/pay`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ outcome: 'settle' }),
  });
  await waitFor(
    () => status(c.token, id),
    (s) => s.state === 'awaiting-unit' && s.taskId,
  );
  const noReason = await request(stack.app).post(`/v1/transactions/${id}/answer`).set(bearer(c.commune)).send({ outcome: 'refuse', reasons: [] });
  expect(noReason.status).toBe(400);
  const refused = await request(stack.app)
    .post(`/v1/transactions/${id}/answer`)
    .set(bearer(c.commune))
    .send({ outcome: 'refuse', reasons: ["La personne n'est pas domiciliée à Delémont."] });
  expect(refused.body).toMatchObject({ state: 'refused', outcome: 'refuse', payment: { state: 'refunded' } });
  // At the provider: a credit of the whole fee against the payment (Datatrans keeps the payment settled).
  expect(stack.payments!.transaction(pay.body.providerTransactionId)).toMatchObject({
    settledAmount: 1500,
    creditedAmount: 1500,
    credits: [expect.any(String)],
  });
  const told = await stack.mail.waitFor((m) => m.to.includes(c.email.toLowerCase()) && m.subject.startsWith('Démarche refusée'), 20_000);
  expect(told.text).toContain("n'est pas domiciliée à Delémont");
});
