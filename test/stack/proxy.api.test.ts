// Proxies through the API (Art. 9.1-9.3): Adèle grants Marc a proxy for one service, Marc
// accepts it with his own sign-in and files a request for her, audited as his for her; she
// revokes it and his next call is refused at once, with the reason.
import request from 'supertest';
import { insertContract } from '../support/contracts';
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
