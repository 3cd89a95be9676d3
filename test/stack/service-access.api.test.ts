// Access to a service on request (Art. 14) through the API: the catalogue decides what may be
// asked; the owning unit hears of each request at its webhook (signed) and by e-mail, decides
// in its own inbox; the citizen is told; a unit revokes an access for abuse with its reasons,
// which shuts the service to him, and he asks for a formal decision (14.4).
import { createServer, type Server } from 'node:http';
import request from 'supertest';
import { signWebhook } from '../../activities/unit-events';
import { activeCitizen } from '../support/contracts';
import { insertService, insertUnit } from '../support/decisions';
import { startStack, waitFor, type Stack } from '../support/stack';

let stack: Stack;
let hooks: Server;
const received: { headers: Record<string, string | string[] | undefined>; body: string }[] = [];
let hookUrl = '';
beforeAll(async () => {
  stack = await startStack();
  hooks = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => hooks.listen(0, '127.0.0.1', r));
  hookUrl = `http://127.0.0.1:${(hooks.address() as { port: number }).port}/hooks`;
});
afterAll(async () => {
  await stack?.stop();
  await new Promise((r) => hooks?.close(r));
});

const bearer = (t: string) => ({ Authorization: `Bearer ${t}` });
const SECRET = 'unit-webhook-secret-0123456789';

const citizen = () => activeCitizen(stack);

async function unitWithService() {
  const unitId = await insertUnit(stack.db, { webhookUrl: hookUrl, webhookSecret: SECRET, domains: ['population'] });
  await stack.db.unit.update({ where: { id: unitId }, data: { email: `${unitId.toLowerCase()}@unit.test` } });
  const service = await insertService(stack.db, unitId, {
    formSchema: { type: 'object', properties: { motif: { type: 'string', minLength: 3 } }, required: ['motif'], additionalProperties: false },
  });
  const token = await stack.token({ role: 'unit', sub: `staff-${unitId}`, unit: unitId, domains: ['population'] });
  return { unitId, service, token };
}

const ask = (c: { token: string; avsNumber: string; email: string }, body: Record<string, unknown>) =>
  request(stack.app)
    .post('/v1/access-requests')
    .set(bearer(c.token))
    .send({ avsNumber: c.avsNumber, email: c.email, ...body });

it('the catalogue decides what may be asked: unknown service or unit 422, a free service needs no request', async () => {
  const c = await citizen();
  const { unitId, service } = await unitWithService();
  const unknown = await ask(c, { service: 'no-such-service' });
  expect(unknown.status).toBe(422);
  expect(unknown.body.error).toMatchObject({ code: 'unknown_service', details: [{ path: 'service', issue: 'unknown service' }] });
  const wrong = await ask(c, { service, unitId: 'SPOP' });
  expect(wrong.status).toBe(422);
  expect(wrong.body.error).toMatchObject({ code: 'wrong_unit', details: [{ path: 'unitId', issue: `the service is served by ${unitId}` }] });
  const free = await insertService(stack.db, unitId, { access: 'free' });
  expect((await ask(c, { service: free })).body.error).toMatchObject({ code: 'free_service' });
  // Nothing was started for any of them.
  expect(await stack.db.accessRequest.count({ where: { citizenSub: c.sub } })).toBe(0);
  // A transaction on a service on request is refused before access is granted.
  const early = await request(stack.app)
    .post('/v1/transactions')
    .set(bearer(c.token))
    .send({ service, form: { motif: 'chantier' } });
  expect(early.status).toBe(403);
  expect(early.body.error.code).toBe('no_access');
});

it('the unit hears of the request at its webhook and by e-mail, grants it in its own inbox, and the citizen is told', async () => {
  const c = await citizen();
  const { unitId, service, token: unit } = await unitWithService();
  const filed = await ask(c, { service, note: 'Pour mon chantier' });
  expect(filed.status).toBe(202);
  const id = filed.body.requestId as string;
  expect(filed.body.unitId).toBe(unitId); // the catalogue's unit

  // The webhook: signed with the unit's secret, ids and states only (no AVS number, no e-mail).
  const hook = await waitFor(
    async () => received.find((r) => r.headers['guichet-event-id'] === `${id}:access-request.filed`),
    (h) => h !== undefined,
  );
  const sig = String(hook!.headers['guichet-signature']);
  const t = Number(/t=(\d+)/.exec(sig)![1]);
  expect(sig).toBe(signWebhook(SECRET, t, hook!.body));
  expect(JSON.parse(hook!.body)).toMatchObject({ type: 'access-request.filed', accessRequest: { id, service, state: 'awaiting-unit' } });
  expect(hook!.body).not.toContain(c.avsNumber);
  expect(hook!.body).not.toContain(c.email);

  // The unit's inbox: the task, told by e-mail; no other unit sees it.
  const status = await waitFor(
    async () => (await request(stack.app).get(`/v1/access-requests/${id}`).set(bearer(c.token))).body,
    (b) => !!b.taskId,
  );
  const mine = await waitFor(
    async () => (await request(stack.app).get('/v1/tasks').set(bearer(unit))).body.items as { taskId: string; kind: string }[],
    (items) => items.some((x) => x.taskId === status.taskId),
  );
  expect(mine.find((x) => x.taskId === status.taskId)!.kind).toBe('access-request');
  const notice = await stack.mail.waitFor((m) => m.to.includes(`${unitId.toLowerCase()}@unit.test`) && m.text.includes(status.taskId), 20_000);
  expect(notice.text).toContain("demande d'accès");
  const other = await stack.token({ role: 'unit', sub: 'other-staff', unit: 'SPOP', domains: ['population'] });
  expect((await request(stack.app).get(`/v1/tasks/${status.taskId}`).set(bearer(other))).status).toBe(404);

  // Granted from the inbox: claim, complete.
  expect((await request(stack.app).post(`/v1/tasks/${status.taskId}/claim`).set(bearer(unit))).status).toBe(200);
  const done = await request(stack.app).post(`/v1/tasks/${status.taskId}/complete`).set(bearer(unit)).send({ outcome: 'grant' });
  expect(done.status).toBe(200);
  const granted = await waitFor(
    async () => (await request(stack.app).get(`/v1/access-requests/${id}`).set(bearer(c.token))).body,
    (b) => b.state === 'granted',
  );
  expect(granted.decision).toMatchObject({ outcome: 'grant' });
  const told = await stack.mail.waitFor((m) => m.to.includes(c.email.toLowerCase()) && m.subject.startsWith('Accès accordé'), 20_000);
  expect(told.text).toContain(`Prestation ${service}`);
  expect(told.text).toContain(id);
  expect((await stack.db.task.findUniqueOrThrow({ where: { id: status.taskId } })).status).toBe('completed');
});

it('a unit revokes an abusive user’s access with its reasons; the service is shut to him; he asks for a formal decision', async () => {
  const c = await citizen();
  const { service, token: unit } = await unitWithService();
  const id = (await ask(c, { service })).body.requestId as string;
  await waitFor(
    async () => (await request(stack.app).get(`/v1/access-requests/${id}`).set(bearer(c.token))).body,
    (b) => b.state === 'awaiting-unit',
  );
  // Through the older decision route this time: the task closes with it.
  expect((await request(stack.app).post(`/v1/access-requests/${id}/decision`).set(bearer(unit)).send({ outcome: 'grant' })).status).toBe(200);
  const ok = await request(stack.app)
    .post('/v1/transactions')
    .set(bearer(c.token))
    .send({ service, form: { motif: 'chantier' } });
  expect(ok.status).toBe(202);

  // Only the owning unit revokes, only with reasons, only a granted access.
  const other = await stack.token({ role: 'unit', sub: 'other-staff', unit: 'SPOP', domains: ['population'] });
  expect(
    (
      await request(stack.app)
        .post(`/v1/access-requests/${id}/revocation`)
        .set(bearer(other))
        .send({ reasons: ['x'] })
    ).status,
  ).toBe(404);
  expect((await request(stack.app).post(`/v1/access-requests/${id}/revocation`).set(bearer(unit)).send({ reasons: [] })).status).toBe(400);
  expect(
    (
      await request(stack.app)
        .post(`/v1/access-requests/${id}/revocation`)
        .set(bearer(c.token))
        .send({ reasons: ['x'] })
    ).status,
  ).toBe(403);
  const reason = 'Dépôt répété de formulaires fictifs (12 démarches en une heure).';
  const revoked = await request(stack.app)
    .post(`/v1/access-requests/${id}/revocation`)
    .set(bearer(unit))
    .send({ reasons: [reason] });
  expect(revoked.status).toBe(202);
  const after = await waitFor(
    async () => (await request(stack.app).get(`/v1/access-requests/${id}`).set(bearer(c.token))).body,
    (b) => b.state === 'revoked',
  );
  expect(after.revocation).toMatchObject({ reasons: [reason] });
  const told = await stack.mail.waitFor((m) => m.to.includes(c.email.toLowerCase()) && m.subject.startsWith('Accès révoqué'), 20_000);
  expect(told.text).toContain(reason);
  expect(told.text).toContain('décision formelle');
  await waitFor(
    async () => received.find((r) => r.headers['guichet-event-id'] === `${id}:access-request.revoked`),
    (h) => h !== undefined,
  );
  // Revoked: no new transaction.
  const shut = await request(stack.app)
    .post('/v1/transactions')
    .set(bearer(c.token))
    .send({ service, form: { motif: 'encore' } });
  expect(shut.status).toBe(403);
  expect(shut.body.error.code).toBe('access_revoked');
  // Again: the same revocation, nothing new.
  expect(
    (
      await request(stack.app)
        .post(`/v1/access-requests/${id}/revocation`)
        .set(bearer(unit))
        .send({ reasons: [reason] })
    ).body.state,
  ).toBe('revoked');

  // Art. 14.4: he contests it; the unit decides in a formal decision.
  const asked = await request(stack.app).post(`/v1/access-requests/${id}/formal-decision-request`).set(bearer(c.token));
  expect(asked.status).toBe(202);
  expect(asked.body).toMatchObject({ ground: 'access-revoked' });
  const task = await waitFor(
    async () => (await request(stack.app).get('/v1/tasks').set(bearer(unit))).body.items as { taskId: string; kind: string }[],
    (items) => items.some((x) => x.kind === 'formal-decision' && x.taskId === asked.body.taskId),
  );
  expect(task.length).toBeGreaterThan(0);
});
