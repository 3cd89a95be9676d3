// Proxies through the API (Art. 9.1-9.3): Adèle grants Marc a proxy for one service, Marc
// accepts it with his own sign-in and files a request for her, audited as his for her; she
// revokes it and his next call is refused at once, with the reason.
import request from 'supertest';
import { insertContract } from '../support/contracts';
import { insertUnit, samplePdf } from '../support/decisions';
import { startStack, waitFor, type Stack } from '../support/stack';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

const bearer = (t: string) => ({ Authorization: `Bearer ${t}` });

async function user() {
  const c = await insertContract(stack.db, { canton: 'JU' });
  const row = await stack.db.registeredUser.findUniqueOrThrow({ where: { sub: c.sub } });
  return { sub: c.sub, token: await stack.token({ role: 'citizen', sub: c.sub }), own: { avsNumber: row.avsNumber, email: row.email } };
}

it('lets Marc act for Adèle for the service she named, from his acceptance until her revocation', async () => {
  const adele = await user();
  const marc = await user();
  const fileFor = (service: string) =>
    request(stack.app)
      .post('/v1/access-requests')
      .set(bearer(marc.token))
      .send({ unitId: 'SPOP', service, ...adele.own, onBehalfOf: adele.sub });

  // Nobody acts for her without a proxy.
  const none = await fileFor('library');
  expect(none.status).toBe(403);
  expect(none.body.error).toMatchObject({ code: 'no_proxy', message: expect.stringContaining('given you no proxy') });

  const granted = await request(stack.app)
    .post('/v1/me/proxies')
    .set(bearer(adele.token))
    .send({ representativeSub: marc.sub, services: ['library'] });
  expect(granted.status).toBe(201);
  expect(granted.body).toMatchObject({ grantorSub: adele.sub, representativeSub: marc.sub, services: ['library'], status: 'offered' });
  const proxyId = granted.body.proxyId as string;
  expect((await fileFor('library')).body.error.message).toContain('not accepted this proxy yet');
  // Only Marc accepts it.
  expect((await request(stack.app).post(`/v1/proxies/${proxyId}/acceptance`).set(bearer(adele.token))).status).toBe(404);
  const accepted = await request(stack.app).post(`/v1/proxies/${proxyId}/acceptance`).set(bearer(marc.token));
  expect(accepted.body).toMatchObject({ status: 'active', acceptedAt: expect.any(String) });

  const filed = await fileFor('library');
  expect(filed.status).toBe(202);
  expect(await stack.db.auditLog.findFirstOrThrow({ where: { recordId: filed.body.requestId, action: 'access-request.filed' } })).toMatchObject({
    actorRole: 'citizen',
    actorSub: marc.sub,
    onBehalfOf: adele.sub,
  });
  expect(await stack.db.accessRequest.findUniqueOrThrow({ where: { id: filed.body.requestId } })).toMatchObject({
    citizenSub: adele.sub,
    filedBySub: marc.sub,
  });
  // Her own details only, and only the service named.
  const redirected = await request(stack.app)
    .post('/v1/access-requests')
    .set(bearer(marc.token))
    .send({ unitId: 'SPOP', service: 'library', ...adele.own, email: 'marc@example.ch', onBehalfOf: adele.sub });
  expect(redirected.status).toBe(422);
  expect(redirected.body.error.details).toEqual([{ path: 'email', issue: expect.stringContaining("does not change where the person's mail goes") }]);
  const other = await fileFor('archives');
  expect(other.status).toBe(403);
  expect(other.body.error.message).toContain('does not cover the service archives');
  expect((await request(stack.app).get(`/v1/access-requests/${filed.body.requestId}`).set(bearer(marc.token))).status).toBe(200);
  expect((await request(stack.app).get(`/v1/access-requests/${filed.body.requestId}`).set(bearer(adele.token))).status).toBe(200);

  // She revokes: his next call is refused, with the reason.
  const revoked = await request(stack.app).post(`/v1/me/proxies/${proxyId}/revocation`).set(bearer(adele.token));
  expect(revoked.body).toMatchObject({ status: 'revoked', endedAt: expect.any(String) });
  const after = await request(stack.app).get(`/v1/access-requests/${filed.body.requestId}`).set(bearer(marc.token));
  expect(after.status).toBe(403);
  expect(after.body.error).toMatchObject({ code: 'no_proxy', message: expect.stringContaining('was revoked') });
  expect((await fileFor('library')).status).toBe(403);
  expect((await request(stack.app).post(`/v1/me/proxies/${proxyId}/revocation`).set(bearer(adele.token))).status).toBe(409);

  // Operators see the proxy's process and its state, without personal data.
  const described = await waitFor(
    () => stack.client.workflow.getHandle(`proxy/${proxyId}`).describe(),
    (d) => d.status.name === 'COMPLETED',
  );
  expect(described.searchAttributes).toMatchObject({ GvsProcess: ['proxy'], GvsState: ['revoked'] });
  const listed = await request(stack.app).get('/v1/proxies').set(bearer(marc.token));
  expect(listed.body.proxies).toEqual([expect.objectContaining({ proxyId, status: 'revoked' })]);
});

it('is given only to another user of the counter', async () => {
  const adele = await user();
  const res = await request(stack.app).post('/v1/me/proxies').set(bearer(adele.token)).send({ representativeSub: 'nobody-here', services: [] });
  expect(res.status).toBe(422);
  expect(res.body.error.details).toEqual([{ path: 'representativeSub', issue: 'not a user of the counter' }]);
  expect((await request(stack.app).post('/v1/me/proxies').set(bearer(adele.token)).send({ representativeSub: adele.sub })).status).toBe(400);
  expect(await stack.db.proxy.count({ where: { grantorSub: adele.sub } })).toBe(0);
});

it("lets Marc read Adèle's decisions and take cognizance of them where her proxy says so", async () => {
  const adele = await user();
  const marc = await user();
  const nadia = await user();
  const unitId = await insertUnit(stack.db, { domains: ['population'] });
  const unit = await stack.token({ role: 'unit', sub: `agent-${unitId}`, unit: unitId, domains: ['population'] });
  expect((await request(stack.app).post('/v1/me/service-consents').set(bearer(adele.token)).send({ unitId, domain: 'population' })).status).toBe(201);
  const give = async (to: typeof marc, decisions: boolean) => {
    const p = await request(stack.app).post('/v1/me/proxies').set(bearer(adele.token)).send({ representativeSub: to.sub, services: [], decisions });
    await request(stack.app).post(`/v1/proxies/${p.body.proxyId}/acceptance`).set(bearer(to.token)).expect(200);
  };
  await give(marc, true);
  await give(nadia, false);
  const served = await request(stack.app)
    .post('/v1/decisions')
    .set(bearer(unit))
    .send({
      recipientSub: adele.sub,
      unitId,
      domain: 'population',
      reference: `REF-PROXY-${unitId}`,
      title: 'Prolongation du permis de séjour',
      remedy: { kind: 'opposition', days: 30 },
      legalRemediesText: 'Opposition dans les 30 jours auprès du Service de la population, 2800 Delémont.',
      documentPdfBase64: samplePdf().toString('base64'),
    });
  expect(served.status).toBe(202);
  const id = served.body.decisionId as string;
  await waitFor(
    async () => (await request(stack.app).get(`/v1/decisions/${id}`).set(bearer(adele.token))).body.state,
    (st) => st === 'awaiting-opening',
  );
  // A proxy without her decisions: nothing to see.
  expect((await request(stack.app).get(`/v1/decisions/${id}`).set(bearer(nadia.token))).status).toBe(404);
  // Marc opens it: the service is his taking of cognizance (Art. 16.4), audited as his for her.
  const opened = await request(stack.app).post(`/v1/decisions/${id}/open`).set(bearer(marc.token));
  expect(opened.status).toBe(200);
  expect(opened.body).toMatchObject({ state: 'served', rule: 'opened in time' });
  expect(await stack.db.auditLog.findFirstOrThrow({ where: { recordId: id, action: 'decision.opened' } })).toMatchObject({
    actorSub: marc.sub,
    onBehalfOf: adele.sub,
  });
});

it('refuses, on the representation and identity routes, the wrong role, another person’s record and values that cannot be', async () => {
  const adele = await user();
  const marc = await user();
  const unit = await stack.token({ role: 'unit', sub: 'agent-x', unit: 'SPOP', domains: ['population'] });
  const counsellor = await stack.token({ role: 'counsellor', sub: 'poste-x' });
  const status = async (method: 'get' | 'post', path: string, token: string, body?: object) =>
    (await request(stack.app)[method](path).set(bearer(token)).send(body)).status;

  // The wrong role: 403 (the route's roles).
  expect(await status('post', '/v1/me/proxies', unit, { representativeSub: marc.sub })).toBe(403);
  expect(await status('post', '/v1/me/assisted-sessions', counsellor, { counsellorSub: 'poste-x', postOffice: 'Poste' })).toBe(403);
  expect(await status('post', '/v1/identity-verifications', unit)).toBe(403);
  expect(await status('get', '/v1/proxies', counsellor)).toBe(403);

  // Values that cannot be: 400 naming the field.
  const feb30 = await request(stack.app).post('/v1/me/proxies').set(bearer(adele.token)).send({ representativeSub: marc.sub, until: '2027-02-30' });
  expect(feb30.status).toBe(400);
  expect(feb30.body.error.details).toEqual([{ path: 'until', issue: 'not a real calendar date' }]);
  const past = await request(stack.app).post('/v1/me/proxies').set(bearer(adele.token)).send({ representativeSub: marc.sub, until: '2020-01-01' });
  expect(past.body.error.details).toEqual([{ path: 'until', issue: 'must be today or later' }]);
  expect(await status('get', '/v1/identity-verifications/not-a-uuid', adele.token)).toBe(400);
  expect(await status('get', '/v1/identity-verifications/8f1c0c8e-0f6c-4c1e-9c55-2a0f3b1a2b3c?wait=3600', adele.token)).toBe(400);
  expect(await status('post', '/v1/me/assisted-sessions/not-a-uuid/close', adele.token)).toBe(400);

  // Another person's record: not there for him (404), and nothing changed.
  const p = await request(stack.app)
    .post('/v1/me/proxies')
    .set(bearer(adele.token))
    .send({ representativeSub: marc.sub, services: ['library'] });
  expect(await status('post', `/v1/me/proxies/${p.body.proxyId}/revocation`, marc.token)).toBe(404);
  expect(await status('post', `/v1/proxies/${p.body.proxyId}/acceptance`, (await user()).token)).toBe(404);
  expect((await stack.db.proxy.findUniqueOrThrow({ where: { id: p.body.proxyId } })).status).toBe('offered');
});
