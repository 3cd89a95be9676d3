// Serving a decision through the API on the dev server: what a unit and a recipient rely
// on — consent, serving, opening, the remedy dates and the rule behind them, the registered
// letter's PDF, postal tracking events, and the appeal the counter refuses.
import request from 'supertest';
import { extractPdfText } from '../support/pdf';
import { insertUnit, insertUser, samplePdf } from '../support/decisions';
import { startStack, waitFor, type Stack } from '../support/stack';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

const bearer = (t: string) => ({ Authorization: `Bearer ${t}` });

async function setup(domains = ['population']) {
  const user = await insertUser(stack.db);
  const unitId = await insertUnit(stack.db, { domains });
  return {
    user,
    unitId,
    citizen: await stack.token({ role: 'citizen', sub: user.sub }),
    unit: await stack.token({ role: 'unit', sub: `agent-${unitId}`, unit: unitId, domains }),
  };
}

const decisionBody = (unitId: string, recipientSub: string, reference = `REF-${Math.random().toString(36).slice(2, 10)}`) => ({
  recipientSub,
  unitId,
  domain: 'population',
  reference,
  title: 'Décision relative au permis de séjour',
  documentPdfBase64: samplePdf('Permis de sejour: decision').toString('base64'),
  remedy: { kind: 'opposition', days: 30 },
  legalRemediesText: 'Opposition dans les 30 jours auprès du Service de la population, Rue du 24-Septembre 1, 2800 Delémont, par écrit et motivée.',
});

it('serves through the counter with consent; opening sets the remedy period, with the rule that set it', async () => {
  const s = await setup();
  const consent = await request(stack.app).post('/v1/me/service-consents').set(bearer(s.citizen)).send({ unitId: s.unitId, domain: 'population' });
  expect(consent.status).toBe(201);

  const served = await request(stack.app).post('/v1/decisions').set(bearer(s.unit)).send(decisionBody(s.unitId, s.user.sub));
  expect(served.status).toBe(202);
  const id = served.body.decisionId as string;
  const waiting = await waitFor(async () => (await request(stack.app).get(`/v1/decisions/${id}`).set(bearer(s.citizen))).body, (d) => d.state === 'awaiting-opening');
  expect(waiting).toMatchObject({ channel: 'electronic', remedyPeriod: null });
  await stack.mail.waitFor((m) => m.to.includes(s.user.email));

  const opened = await request(stack.app).post(`/v1/decisions/${id}/open`).set(bearer(s.citizen));
  expect(opened.status).toBe(200);
  expect(opened.body).toMatchObject({ state: 'served', rule: 'opened in time', remedyPeriod: { start: expect.any(String), lastDay: expect.any(String) } });
  const pdf = await request(stack.app).get(`/v1/decisions/${id}/document`).set(bearer(s.citizen));
  expect(pdf.headers['content-type']).toBe('application/pdf');

  // Art. 17: no appeal through the counter; the answer says where and how.
  const appeal = await request(stack.app).post(`/v1/decisions/${id}/appeal`).set(bearer(s.citizen)).send({});
  expect(appeal.status).toBe(422);
  expect(appeal.body.error.message).toContain('Service de la population');
  expect(await stack.db.decision.count({ where: { id } })).toBe(1);
});

it('goes by post without consent: a registered letter whose PDF names the reference; tracking sets the period', async () => {
  const s = await setup();
  const body = decisionBody(s.unitId, s.user.sub, 'REF-POST-0001');
  const served = await request(stack.app).post('/v1/decisions').set(bearer(s.unit)).send(body);
  const id = served.body.decisionId as string;
  const waiting = await waitFor(async () => (await request(stack.app).get(`/v1/decisions/${id}`).set(bearer(s.unit))).body, (d) => d.state === 'awaiting-postal-delivery');
  const letter = stack.post.letters().find((l) => l.letterId === id)!;
  expect(waiting.trackingNumber).toBe(letter.trackingNumber);
  const text = await extractPdfText(stack.post.pdfOf(id)!);
  expect(text).toContain('REF-POST-0001');
  expect(text).toContain('Delémont');

  const postal = await stack.token({ role: 'postal', sub: 'post-gateway' });
  const event = { eventId: `evt-${id}`, trackingNumber: letter.trackingNumber, type: 'delivered', occurredOn: '2026-12-03' };
  expect((await request(stack.app).post('/v1/postal-events').set(bearer(postal)).send(event)).status).toBe(202);
  const dup = await request(stack.app).post('/v1/postal-events').set(bearer(postal)).send(event);
  expect(dup.body.duplicate).toBe(true);
  const done = await waitFor(async () => (await request(stack.app).get(`/v1/decisions/${id}`).set(bearer(s.unit))).body, (d) => d.state === 'served');
  expect(done).toMatchObject({ rule: 'delivered by post', triggerDay: '2026-12-03', postalEvents: [{ type: 'delivered', occurredOn: '2026-12-03' }] });
  // 4 Dec + 30 days, the Christmas féries (18 Dec - 2 Jan) not counted: 18 January 2027.
  expect(done.remedyPeriod).toEqual({ start: '2026-12-04', lastDay: '2027-01-18' });

  // The same unit reference again: the same decision, not a second one.
  const again = await request(stack.app).post('/v1/decisions').set(bearer(s.unit)).send(body);
  expect(again.status).toBe(200);
  expect(again.body.decisionId).toBe(id);
  expect(await stack.db.decision.count({ where: { unitId: s.unitId, reference: 'REF-POST-0001' } })).toBe(1);
});

it('refuses a unit serving in another unit or domain, and hides a decision from everyone else', async () => {
  const s = await setup(['population']);
  expect((await request(stack.app).post('/v1/decisions').set(bearer(s.unit)).send({ ...decisionBody(s.unitId, s.user.sub), domain: 'impots' })).status).toBe(403);
  expect((await request(stack.app).post('/v1/decisions').set(bearer(s.unit)).send({ ...decisionBody('OTHER', s.user.sub) })).status).toBe(403);
  const served = await request(stack.app).post('/v1/decisions').set(bearer(s.unit)).send(decisionBody(s.unitId, s.user.sub));
  const id = served.body.decisionId as string;
  const stranger = await stack.token({ role: 'citizen', sub: 'someone-else' });
  expect((await request(stack.app).get(`/v1/decisions/${id}`).set(bearer(stranger))).status).toBe(404);
  expect((await request(stack.app).post(`/v1/decisions/${id}/open`).set(bearer(stranger))).status).toBe(404);
  const otherUnit = await stack.token({ role: 'unit', sub: 'x', unit: 'OTHER', domains: ['population'] });
  expect((await request(stack.app).get(`/v1/decisions/${id}`).set(bearer(otherUnit))).status).toBe(404);
});

it('validates the decision: not a PDF, unknown recipient', async () => {
  const s = await setup();
  const notPdf = await request(stack.app).post('/v1/decisions').set(bearer(s.unit)).send({ ...decisionBody(s.unitId, s.user.sub), documentPdfBase64: Buffer.from('hello').toString('base64') });
  expect(notPdf.status).toBe(400);
  expect(notPdf.body.error.details[0].path).toBe('documentPdfBase64');
  const nobody = await request(stack.app).post('/v1/decisions').set(bearer(s.unit)).send(decisionBody(s.unitId, 'not-a-user'));
  expect(nobody.status).toBe(422);
  // Just over the 5 MiB a decision PDF may weigh: refused, naming the field; far over it,
  // the body itself is refused before it is read whole (413).
  const over = (bytes: number) => ({ ...decisionBody(s.unitId, s.user.sub), documentPdfBase64: Buffer.concat([samplePdf(), Buffer.alloc(bytes, 32)]).toString('base64') });
  const tooBig = await request(stack.app).post('/v1/decisions').set(bearer(s.unit)).send(over(5 * 1024 * 1024 + 10_000));
  expect(tooBig.status).toBe(400);
  expect(tooBig.body.error.details[0]).toEqual({ path: 'documentPdfBase64', issue: 'at most 5 MiB of PDF' });
  const far = await request(stack.app).post('/v1/decisions').set(bearer(s.unit)).send(over(6 * 1024 * 1024));
  expect(far.status).toBe(413);
  expect(far.body.error.code).toBe('payload_too_large');
});

it('lets a citizen list and revoke consents; a revoked consent means post', async () => {
  const s = await setup();
  const c = await request(stack.app).post('/v1/me/service-consents').set(bearer(s.citizen)).send({ unitId: s.unitId, domain: 'population' });
  expect((await request(stack.app).delete(`/v1/me/service-consents/${c.body.id}`).set(bearer(s.citizen))).status).toBe(204);
  const list = await request(stack.app).get('/v1/me/service-consents').set(bearer(s.citizen));
  expect(list.body.items[0]).toMatchObject({ id: c.body.id, revokedAt: expect.any(String) });
  const served = await request(stack.app).post('/v1/decisions').set(bearer(s.unit)).send(decisionBody(s.unitId, s.user.sub));
  const d = await waitFor(async () => (await request(stack.app).get(`/v1/decisions/${served.body.decisionId}`).set(bearer(s.unit))).body, (x) => x.state !== 'checking-consent');
  expect(d.channel).toBe('postal');
});
