// The whole stack: real HTTP into the API, a real Temporal dev server, a real worker, real
// PostgreSQL. What a citizen, a unit and an operator rely on.
import request from 'supertest';
import { LocalIssuer } from '../../infra/local-issuer';
import { accessRequestWorkflowId } from '../../workflows/access-request/definitions';
import { insertContract } from '../support/contracts';
import { startStack, waitFor, type Stack } from '../support/stack';

// A test person: these values must never appear in clear in Temporal.
const PERSON = { avsNumber: '756.9217.0769.85', email: 'jeanne.citoyenne@example.ch' };

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

const bearer = (t: string) => ({ Authorization: `Bearer ${t}` });

async function file(citizenSub: string, unitId = 'SPOP') {
  const token = await stack.token({ role: 'citizen', sub: citizenSub });
  const res = await request(stack.app)
    .post('/v1/access-requests')
    .set(bearer(token))
    .send({ unitId, service: 'building-permits', ...PERSON, note: 'Pour mon chantier' });
  expect(res.status).toBe(202);
  return { requestId: res.body.requestId as string, token };
}

async function stateOf(requestId: string, token: string) {
  const res = await request(stack.app).get(`/v1/access-requests/${requestId}`).set(bearer(token));
  return res.body as { state: string };
}

describe('filing and deciding an access request through the API', () => {
  it('starts a workflow, records the request in PostgreSQL, and answers from the workflow', async () => {
    const { requestId, token } = await file('citizen-anna');

    const status = await waitFor(
      () => stateOf(requestId, token),
      (s) => s.state === 'awaiting-unit',
    );
    expect(status).toMatchObject({ requestId, unitId: 'SPOP', service: 'building-permits', canton: 'JU', remindersSent: 0 });

    const row = await stack.db.accessRequest.findUniqueOrThrow({ where: { id: requestId } });
    expect(row).toMatchObject({ citizenSub: 'citizen-anna', avsNumber: PERSON.avsNumber, email: PERSON.email, status: 'awaiting-unit' });
    const audit = await stack.db.auditLog.findMany({ where: { recordId: requestId }, orderBy: { id: 'asc' } });
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['access-request.filed', 'access-request.recorded']));
    expect(audit.find((a) => a.action === 'access-request.filed')).toMatchObject({ actorRole: 'citizen', actorSub: 'citizen-anna' });
  });

  it('lets the unit grant it once; a second decision is a conflict', async () => {
    const { requestId, token } = await file('citizen-bruno');
    await waitFor(
      () => stateOf(requestId, token),
      (s) => s.state === 'awaiting-unit',
    );
    const unit = await stack.token({ role: 'unit', sub: 'agent-1', unit: 'SPOP', domains: ['construction'] });

    const granted = await request(stack.app).post(`/v1/access-requests/${requestId}/decision`).set(bearer(unit)).send({ outcome: 'grant' });
    expect(granted.status).toBe(200);
    expect(granted.body).toMatchObject({ state: 'granted', decision: { outcome: 'grant' } });

    const again = await request(stack.app).post(`/v1/access-requests/${requestId}/decision`).set(bearer(unit)).send({ outcome: 'refuse', reason: 'x' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('conflict');

    const row = await stack.db.accessRequest.findUniqueOrThrow({ where: { id: requestId } });
    expect(row).toMatchObject({ status: 'granted', decidedBySub: 'agent-1' });
    expect((await stateOf(requestId, token)).state).toBe('granted');
  });

  it('refuses a refusal without a reason, naming the field', async () => {
    const { requestId } = await file('citizen-carla');
    const unit = await stack.token({ role: 'unit', sub: 'agent-2', unit: 'SPOP' });
    const res = await request(stack.app).post(`/v1/access-requests/${requestId}/decision`).set(bearer(unit)).send({ outcome: 'refuse' });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([{ path: 'reason', issue: 'a refusal needs a reason' }]);
  });

  it('gives the same request for a retried Idempotency-Key', async () => {
    const token = await stack.token({ role: 'citizen', sub: 'citizen-dora' });
    const send = () =>
      request(stack.app)
        .post('/v1/access-requests')
        .set(bearer(token))
        .set('Idempotency-Key', 'retry-key-0001')
        .send({ unitId: 'SPOP', service: 'library', ...PERSON });
    const first = await send();
    const second = await send();
    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    expect(second.body.requestId).toBe(first.body.requestId);
    expect(await stack.db.accessRequest.count({ where: { citizenSub: 'citizen-dora' } })).toBeLessThanOrEqual(1);
  });

  it('lets a counsellor act only in the session the citizen opened for him, audited as his for the citizen, never redirecting her mail', async () => {
    const c = await insertContract(stack.db, { canton: 'JU' });
    const user = await stack.db.registeredUser.findUniqueOrThrow({ where: { sub: c.sub } });
    const own = { avsNumber: user.avsNumber, email: user.email };
    const counsellor = await stack.token({ role: 'counsellor', sub: 'poste-delemont-3' });
    const citizen = await stack.token({ role: 'citizen', sub: c.sub });
    const file = (body: object) =>
      request(stack.app)
        .post('/v1/access-requests')
        .set(bearer(counsellor))
        .send({ unitId: 'SPOP', service: 'library', ...body, onBehalfOf: c.sub });

    // No session, no act.
    const without = await file(own);
    expect(without.status).toBe(403);
    expect(without.body.error.code).toBe('no_assisted_session');

    // At the counter, she opens a session for him; a session for another counsellor does not count.
    const other = await request(stack.app)
      .post('/v1/me/assisted-sessions')
      .set(bearer(citizen))
      .send({ counsellorSub: 'poste-porrentruy-9', postOffice: 'Poste de Porrentruy' });
    expect(other.status).toBe(201);
    expect((await file(own)).status).toBe(403);
    const opened = await request(stack.app)
      .post('/v1/me/assisted-sessions')
      .set(bearer(citizen))
      .send({ counsellorSub: 'poste-delemont-3', postOffice: 'Poste de Delémont' });
    expect(opened.status).toBe(201);
    expect(opened.body).toMatchObject({ citizenSub: c.sub, counsellorSub: 'poste-delemont-3', openedBy: 'citizen', open: true });
    expect(new Date(opened.body.expiresAt).getTime() - new Date(opened.body.openedAt).getTime()).toBe(2 * 3_600_000);

    // He cannot send her mail elsewhere.
    const redirected = await file({ ...own, email: 'conseiller@poste.example' });
    expect(redirected.status).toBe(422);
    expect(redirected.body.error.details).toEqual([{ path: 'email', issue: expect.stringContaining("does not change where the person's mail goes") }]);

    const res = await file(own);
    expect(res.status).toBe(202);
    const filed = await stack.db.auditLog.findFirstOrThrow({ where: { recordId: res.body.requestId, action: 'access-request.filed' } });
    expect(filed).toMatchObject({ actorRole: 'counsellor', actorSub: 'poste-delemont-3', onBehalfOf: c.sub });
    expect((await request(stack.app).get(`/v1/access-requests/${res.body.requestId}`).set(bearer(citizen))).status).toBe(200);
    expect((await request(stack.app).get(`/v1/access-requests/${res.body.requestId}`).set(bearer(counsellor))).status).toBe(200);
    const listed = await request(stack.app).get('/v1/assisted-sessions').set(bearer(counsellor));
    expect(listed.body.sessions).toEqual([expect.objectContaining({ sessionId: opened.body.sessionId, open: true })]);

    // She ends it: his next call is refused at once.
    const closed = await request(stack.app).post(`/v1/me/assisted-sessions/${opened.body.sessionId}/close`).set(bearer(citizen));
    expect(closed.body).toMatchObject({ open: false, closedAt: expect.any(String) });
    const after = await request(stack.app).get(`/v1/access-requests/${res.body.requestId}`).set(bearer(counsellor));
    expect(after.status).toBe(403);
    expect(after.body.error.code).toBe('no_assisted_session');
    // Only she may close her sessions.
    expect(
      (
        await request(stack.app)
          .post(`/v1/me/assisted-sessions/${other.body.sessionId}/close`)
          .set(bearer(await stack.token({ role: 'citizen' })))
      ).status,
    ).toBe(404);
  });
});

describe('who may do what', () => {
  let requestId: string;
  beforeAll(async () => {
    ({ requestId } = await file('citizen-owner'));
  });

  it('answers 401 without a token, with a bad token, and with a token from another issuer', async () => {
    const none = await request(stack.app).get(`/v1/access-requests/${requestId}`);
    expect(none.status).toBe(401);
    expect(none.body).toEqual({ error: { code: 'unauthorized', message: expect.any(String), details: [] } });

    expect((await request(stack.app).get(`/v1/access-requests/${requestId}`).set(bearer('not-a-jwt'))).status).toBe(401);

    const stranger = await LocalIssuer.create(stack.issuer.issuer, stack.issuer.audience); // same name, other key
    const forged = await stranger.sign({ role: 'chancellery', sub: 'mallory' });
    expect((await request(stack.app).get(`/v1/access-requests/${requestId}`).set(bearer(forged))).status).toBe(401);
  });

  it('answers 401 to a token without exp, one living longer than allowed, and one that is not an access token', async () => {
    const now = Math.floor(Date.now() / 1000);
    const base = { iss: stack.issuer.issuer, aud: stack.issuer.audience, sub: 'citizen-x', role: 'citizen', acr: 'urn:guichet:acr:eid', iat: now };
    const path = '/v1/me/contract';
    const answer = async (token: string) => (await request(stack.app).get(path).set(bearer(token))).status;
    expect(await answer(await stack.issuer.signClaims({ ...base, exp: now + 600 }))).toBe(404); // a valid token: no contract
    expect(await answer(await stack.issuer.signClaims(base))).toBe(401); // never expires
    expect(await answer(await stack.issuer.signClaims({ ...base, exp: now + 3600 * 24 * 365 }))).toBe(401); // a year
    expect(await answer(await stack.issuer.signClaims({ ...base, exp: now + 600 }, { typ: 'JWT' }))).toBe(401); // an ID token or other JWT
    const { iat: _iat, ...noIat } = base;
    expect(await answer(await stack.issuer.signClaims({ ...noIat, exp: now + 600 }))).toBe(401);
  });

  it('answers 403 to a role that may not act, and 404 to a citizen or unit it does not concern', async () => {
    const operator = await stack.token({ role: 'operator' });
    expect((await request(stack.app).get(`/v1/access-requests/${requestId}`).set(bearer(operator))).status).toBe(403);
    const citizen = await stack.token({ role: 'citizen', sub: 'citizen-owner' });
    expect((await request(stack.app).post(`/v1/access-requests/${requestId}/decision`).set(bearer(citizen)).send({ outcome: 'grant' })).status).toBe(403);

    const other = await stack.token({ role: 'citizen', sub: 'citizen-other' });
    expect((await request(stack.app).get(`/v1/access-requests/${requestId}`).set(bearer(other))).status).toBe(404);
    const otherUnit = await stack.token({ role: 'unit', sub: 'agent-9', unit: 'SAN' });
    expect((await request(stack.app).post(`/v1/access-requests/${requestId}/decision`).set(bearer(otherUnit)).send({ outcome: 'grant' })).status).toBe(404);

    const chancellery = await stack.token({ role: 'chancellery' });
    expect((await request(stack.app).get(`/v1/access-requests/${requestId}`).set(bearer(chancellery))).status).toBe(200);
  });
});

describe('input errors', () => {
  it('names each bad field', async () => {
    const token = await stack.token({ role: 'citizen' });
    const res = await request(stack.app)
      .post('/v1/access-requests')
      .set(bearer(token))
      .send({ unitId: 'SPOP', service: 'x', avsNumber: '756.9217.0769.84', email: 'nope' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['avsNumber', 'email']);
  });

  it('refuses malformed JSON with 400 and a body over the limit with 413', async () => {
    const token = await stack.token({ role: 'citizen' });
    const bad = await request(stack.app).post('/v1/access-requests').set(bearer(token)).set('Content-Type', 'application/json').send('{"unitId":');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('malformed_json');
    const big = await request(stack.app)
      .post('/v1/access-requests')
      .set(bearer(token))
      .send({ note: 'x'.repeat(200_000) });
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe('payload_too_large');
  });

  it('answers unknown routes with the same error shape', async () => {
    const res = await request(stack.app).get('/v1/nothing-here');
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({ code: 'not_found', details: [] });
  });
});

describe('personal data in the workflow engine', () => {
  it('keeps no readable AVS number or e-mail in the history, id, search attributes or memo', async () => {
    const { requestId, token } = await file('citizen-privacy');
    const unit = await stack.token({ role: 'unit', sub: 'agent-3', unit: 'SPOP' });
    await waitFor(
      () => stateOf(requestId, token),
      (s) => s.state === 'awaiting-unit',
    );
    await request(stack.app).post(`/v1/access-requests/${requestId}/decision`).set(bearer(unit)).send({ outcome: 'refuse', reason: 'Dossier incomplet' });

    const handle = stack.client.workflow.getHandle(accessRequestWorkflowId(requestId));
    const history = await handle.fetchHistory();
    const raw = Buffer.from(JSON.stringify(history));
    const description = await handle.describe();
    const visible = JSON.stringify({ id: description.workflowId, sa: description.searchAttributes, memo: description.memo });

    expect(history.events?.length).toBeGreaterThan(5);
    for (const secret of [PERSON.avsNumber, PERSON.email, PERSON.avsNumber.replace(/\./g, '')]) {
      expect(raw.includes(secret)).toBe(false);
      expect(raw.includes(Buffer.from(secret).toString('base64'))).toBe(false);
      expect(visible.includes(secret)).toBe(false);
    }
    // ... while the search attributes operators filter by are there.
    expect(description.searchAttributes).toMatchObject({ GvsProcess: ['access-request'], GvsState: ['refused'], GvsUnit: ['SPOP'], GvsCanton: ['JU'] });
  });

  it('decodes payloads for an operator through the codec endpoint, and for nobody else', async () => {
    const { requestId } = await file('citizen-codec');
    const history = await stack.client.workflow.getHandle(accessRequestWorkflowId(requestId)).fetchHistory();
    const input = history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!;
    const asJson = {
      metadata: Object.fromEntries(Object.entries(input.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
      data: Buffer.from(input.data!).toString('base64'),
    };
    expect(Buffer.from(asJson.metadata.encoding!, 'base64').toString()).toBe('binary/encrypted');

    const operator = await stack.token({ role: 'operator', sub: 'ops-1' });
    const decoded = await request(stack.app)
      .post('/codec/decode')
      .set(bearer(operator))
      .set('Origin', 'http://127.0.0.1:8233')
      .send({ payloads: [asJson] });
    expect(decoded.status).toBe(200);
    expect(decoded.headers['access-control-allow-origin']).toBe('http://127.0.0.1:8233');
    const plain = JSON.parse(Buffer.from(decoded.body.payloads[0].data, 'base64').toString());
    expect(plain.applicant).toEqual({ ...PERSON, $dataKey: expect.stringMatching(/^access-request:/) });

    const citizen = await stack.token({ role: 'citizen', sub: 'citizen-codec' });
    expect(
      (
        await request(stack.app)
          .post('/codec/decode')
          .set(bearer(citizen))
          .send({ payloads: [asJson] })
      ).status,
    ).toBe(403);
    expect(
      (
        await request(stack.app)
          .post('/codec/decode')
          .send({ payloads: [asJson] })
      ).status,
    ).toBe(401);

    const preflight = await request(stack.app).options('/codec/decode').set('Origin', 'http://127.0.0.1:8233').set('Access-Control-Request-Method', 'POST');
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-headers']).toContain('X-Namespace');

    // Every decode is in the access log: who, what, when, why.
    const logged = await stack.db.accessLog.findMany({ where: { actorSub: 'ops-1', action: 'codec.decode:1' } });
    expect(logged).toEqual([
      expect.objectContaining({ actorRole: 'operator', recordType: 'workflow-payloads', purpose: expect.stringContaining('operating the workflow engine') }),
    ]);
    await request(stack.app)
      .post('/codec/decode')
      .set(bearer(operator))
      .set('X-Access-Purpose', 'incident INC-42')
      .send({ payloads: [asJson] });
    expect(await stack.db.accessLog.findFirst({ where: { actorSub: 'ops-1', purpose: 'incident INC-42 (stated)' } })).not.toBeNull();

    // The record destroyed (its data key deleted): the same payload answers "key destroyed",
    // and a payload of another record still decodes.
    const other = await file('citizen-codec-2');
    const otherInput = (await stack.client.workflow.getHandle(accessRequestWorkflowId(other.requestId)).fetchHistory()).events![0]!
      .workflowExecutionStartedEventAttributes!.input!.payloads![0]!;
    await stack.dataKeys.destroy(`access-request:${requestId}`);
    const afterwards = await request(stack.app)
      .post('/codec/decode')
      .set(bearer(operator))
      .send({
        payloads: [
          asJson,
          {
            metadata: Object.fromEntries(Object.entries(otherInput.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
            data: Buffer.from(otherInput.data!).toString('base64'),
          },
        ],
      });
    expect(afterwards.status).toBe(200);
    const [gone, still] = afterwards.body.payloads.map((p: { data: string }) => JSON.parse(Buffer.from(p.data, 'base64').toString()));
    expect(gone).toMatchObject({ error: 'key-destroyed', dataKey: `access-request:${requestId}`, message: expect.stringContaining('key destroyed') });
    expect(still.applicant).toMatchObject(PERSON);
  });
});

describe('operations', () => {
  it('is ready when Temporal and PostgreSQL answer', async () => {
    const res = await request(stack.app).get('/readyz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', checks: { temporal: 'ok', database: 'ok' } });
    expect((await request(stack.app).get('/healthz')).status).toBe(200);
  });

  it('publishes Prometheus metrics and an OpenAPI document generated from the schemas', async () => {
    await request(stack.app).get('/healthz');
    const metrics = await request(stack.app)
      .get('/metrics')
      .set(bearer(await stack.token({ role: 'operator' })));
    expect(metrics.text).toContain('http_request_duration_seconds_bucket');
    const doc = await request(stack.app).get('/openapi.json');
    expect(doc.body.openapi).toBe('3.0.3');
    const create = doc.body.paths['/v1/access-requests'].post;
    expect(create.requestBody.content['application/json'].schema.$ref).toBe('#/components/schemas/AccessRequestCreate');
    expect(doc.body.components.schemas.AccessRequestCreate.required).toEqual(expect.arrayContaining(['service', 'email']));
    // A person files with her AVS number, an entity's people with its UID (Art. 12): both optional in the schema.
    expect(Object.keys(doc.body.components.schemas.AccessRequestCreate.properties)).toEqual(expect.arrayContaining(['avsNumber', 'uid', 'onBehalfOf']));
    expect((await request(stack.app).get('/docs/')).status).toBe(200);
  });

  it('carries a request id on every answer', async () => {
    const res = await request(stack.app).get('/healthz').set('X-Request-Id', 'trace-123');
    expect(res.headers['x-request-id']).toBe('trace-123');
  });
});
