// Representation through the Chancellery, through the API on the real stack. Neuchâtel: an
// unrestricted proxy is in force only once the Chancellery recorded the written, legalised
// proxy, and the grantor cannot revoke it on the counter — only a written request to the
// Chancellery does (LGSU Art. 22 al. 3-4). Jura: a parent contracts for his minor child
// (Art. 9.5) and acts for her once the Chancellery approved; not before; a citizen cannot
// complete the Chancellery's task.
import request from 'supertest';
import { testPeople } from '../support/applications';
import { insertContract } from '../support/contracts';
import { startStack, waitFor, type Stack } from '../support/stack';

const people = testPeople();
let ne: Stack;
let ju: Stack;
beforeAll(async () => {
  [ne, ju] = await Promise.all([startStack({ canton: 'NE' }), startStack({ canton: 'JU', fixturePath: people.fixturePath })]);
});
afterAll(async () => {
  await Promise.all([ne?.stop(), ju?.stop()]);
});

const bearer = (t: string) => ({ Authorization: `Bearer ${t}` });

async function user(stack: Stack, canton: 'JU' | 'NE') {
  const c = await insertContract(stack.db, { canton });
  const row = await stack.db.registeredUser.findUniqueOrThrow({ where: { sub: c.sub } });
  return { sub: c.sub, token: await stack.token({ role: 'citizen', sub: c.sub }), own: { avsNumber: row.avsNumber, email: row.email } };
}

/** A Chancellery staff member claims the task once it is open, and completes it. */
async function complete(stack: Stack, taskId: string, body: object) {
  const staff = await stack.token({ role: 'chancellery', sub: 'staff-1' });
  await waitFor(
    async () => (await request(stack.app).get(`/v1/tasks/${taskId}`).set(bearer(staff))).body.status,
    (s) => s === 'open',
  );
  await request(stack.app).post(`/v1/tasks/${taskId}/claim`).set(bearer(staff)).expect(200);
  return request(stack.app).post(`/v1/tasks/${taskId}/complete`).set(bearer(staff)).send(body);
}

it('NE: an unrestricted proxy waits for the written, legalised proxy, and only a written request to the Chancellery revokes it', async () => {
  const adele = await user(ne, 'NE');
  const marc = await user(ne, 'NE');
  const fileFor = () =>
    request(ne.app)
      .post('/v1/access-requests')
      .set(bearer(marc.token))
      .send({ unitId: 'SPOP', service: 'library', ...adele.own, onBehalfOf: adele.sub });

  const granted = await request(ne.app).post('/v1/me/proxies').set(bearer(adele.token)).send({ representativeSub: marc.sub, services: [] });
  expect(granted.body).toMatchObject({ status: 'offered', form: 'written-legalised', services: [] });
  const proxyId = granted.body.proxyId as string;
  const accepted = await request(ne.app).post(`/v1/proxies/${proxyId}/acceptance`).set(bearer(marc.token));
  expect(accepted.body).toMatchObject({ status: 'awaiting-written-proxy' });

  // Not in force yet: he cannot act for her.
  const early = await fileFor();
  expect(early.status).toBe(403);
  expect(early.body.error.message).toContain('written proxy with a legalised signature');
  // A JU-style revocation on the counter: refused, with the way to do it.
  const selfRevoked = await request(ne.app).post(`/v1/me/proxies/${proxyId}/revocation`).set(bearer(adele.token));
  expect(selfRevoked.status).toBe(409);
  expect(selfRevoked.body.error).toMatchObject({ code: 'ProxyRevokedInWritingOnly', message: expect.stringContaining('LGSU Art. 22 al. 4') });

  // The task is the Chancellery's: a citizen cannot claim or complete it, nor record a written revocation.
  const taskId = `${proxyId}-written-proxy`;
  expect((await request(ne.app).post(`/v1/tasks/${taskId}/claim`).set(bearer(marc.token))).status).toBe(403);
  expect((await request(ne.app).post(`/v1/tasks/${taskId}/complete`).set(bearer(adele.token)).send({ outcome: 'record', justification: 'moi' })).status).toBe(
    403,
  );
  expect(
    (await request(ne.app).post(`/v1/proxies/${proxyId}/written-revocation`).set(bearer(adele.token)).send({ receivedOn: '2026-12-01', from: 'grantor' }))
      .status,
  ).toBe(403);

  const recorded = await complete(ne, taskId, { outcome: 'record', justification: 'procuration écrite reçue le 2.12., signature légalisée vérifiée' });
  expect(recorded.status).toBe(200);
  expect(recorded.body).toMatchObject({ kind: 'written-proxy', proxyId, status: 'completed', outcome: 'record' });
  expect((await ne.db.proxy.findUniqueOrThrow({ where: { id: proxyId } })).status).toBe('active');
  expect((await fileFor()).status).toBe(202);
  expect((await request(ne.app).post(`/v1/me/proxies/${proxyId}/revocation`).set(bearer(adele.token))).status).toBe(409);

  // The written revocation, recorded by the Chancellery: at once.
  const staff = await ne.token({ role: 'chancellery', sub: 'staff-1' });
  const future = await request(ne.app).post(`/v1/proxies/${proxyId}/written-revocation`).set(bearer(staff)).send({ receivedOn: '2999-01-01', from: 'grantor' });
  expect(future.body.error.details).toEqual([{ path: 'receivedOn', issue: expect.stringContaining('in the future') }]);
  const revoked = await request(ne.app)
    .post(`/v1/proxies/${proxyId}/written-revocation`)
    .set(bearer(staff))
    .send({ receivedOn: '2026-12-01', from: 'grantor' });
  expect(revoked.status).toBe(200);
  expect(revoked.body).toMatchObject({ status: 'revoked', writtenRevocation: { receivedOn: '2026-12-01', from: 'grantor' } });
  const after = await fileFor();
  expect(after.status).toBe(403);
  expect(after.body.error.message).toContain('was revoked');
});

it('NE: a proxy for named services stays electronic and revocable on the counter', async () => {
  const adele = await user(ne, 'NE');
  const marc = await user(ne, 'NE');
  const p = await request(ne.app)
    .post('/v1/me/proxies')
    .set(bearer(adele.token))
    .send({ representativeSub: marc.sub, services: ['library'] });
  expect(p.body.form).toBe('electronic');
  expect((await request(ne.app).post(`/v1/proxies/${p.body.proxyId}/acceptance`).set(bearer(marc.token))).body.status).toBe('active');
  expect((await request(ne.app).post(`/v1/me/proxies/${p.body.proxyId}/revocation`).set(bearer(adele.token))).body.status).toBe('revoked');
});

it('JU: a parent contracts for his minor child; he acts for her once the Chancellery approved, not before', async () => {
  const marc = await user(ju, 'JU');
  const minor = people.people.minor!;
  const person = {
    lastName: minor.lastName,
    firstName: minor.firstName,
    birthDate: minor.birthDate,
    avsNumber: minor.avsNumber,
    address: { street: 'Rue du Test 1', postCode: '2900', locality: 'Porrentruy' },
    commune: minor.commune,
  };
  const filed = await request(ju.app).post('/v1/me/legal-representations').set(bearer(marc.token)).send({ person, basis: 'parental-authority' });
  expect(filed.status).toBe(201);
  expect(filed.body).toMatchObject({ kind: 'legal-representation', status: 'checking', decisions: true, services: [] });
  const requestId = filed.body.requestId as string;
  const representedSub = `represented:${requestId}`;
  const fileFor = () =>
    request(ju.app)
      .post('/v1/access-requests')
      .set(bearer(marc.token))
      .send({ unitId: 'SPOP', service: 'library', avsNumber: minor.avsNumber, email: marc.own.email, onBehalfOf: representedSub });

  // Before approval: no proxy, no act.
  const early = await fileFor();
  expect(early.status).toBe(403);
  expect(early.body.error.code).toBe('no_proxy');
  // One request at a time for one person; another person cannot read his request.
  expect((await request(ju.app).post('/v1/me/legal-representations').set(bearer(marc.token)).send({ person, basis: 'parental-authority' })).status).toBe(409);
  const other = await user(ju, 'JU');
  expect((await request(ju.app).get(`/v1/representation-requests/${requestId}`).set(bearer(other.token))).status).toBe(404);
  // A citizen cannot complete the Chancellery's task.
  const taskId = `${requestId}-legal-representation`;
  expect((await request(ju.app).post(`/v1/tasks/${taskId}/complete`).set(bearer(marc.token)).send({ outcome: 'approve', justification: 'moi' })).status).toBe(
    403,
  );

  // The reviewer sees what the registers said.
  const staff = await ju.token({ role: 'chancellery', sub: 'staff-1' });
  const seen = await waitFor(
    async () => (await request(ju.app).get(`/v1/representation-requests/${requestId}`).set(bearer(staff))).body,
    (b) => b.status === 'awaiting-review',
  );
  expect(seen.checks).toMatchObject({ found: true, minor: true, basisConfirmed: true, lastDay: expect.any(String) });
  expect(await ju.db.accessLog.findFirst({ where: { recordId: requestId, action: 'read.representation-request' } })).toMatchObject({ actorSub: 'staff-1' });

  expect((await complete(ju, taskId, { outcome: 'approve', justification: 'livret de famille vérifié' })).status).toBe(200);
  const approved = await request(ju.app).get(`/v1/representation-requests/${requestId}`).set(bearer(marc.token));
  expect(approved.body).toMatchObject({ status: 'approved', representedSub, proxyId: requestId });
  const proxies = await request(ju.app).get('/v1/proxies').set(bearer(marc.token));
  expect(proxies.body.proxies).toEqual([
    expect.objectContaining({
      proxyId: requestId,
      grantorSub: representedSub,
      status: 'active',
      form: 'legal-representation',
      decisions: true,
      until: seen.checks.lastDay,
    }),
  ]);
  // Her e-mail on the counter is his (she gave none): he files with it, and her AVS number.
  const filedForHer = await fileFor();
  expect(filedForHer.status).toBe(202);
  expect(await ju.db.auditLog.findFirstOrThrow({ where: { recordId: filedForHer.body.requestId, action: 'access-request.filed' } })).toMatchObject({
    actorSub: marc.sub,
    onBehalfOf: representedSub,
  });
  // One person, one subject.
  const again = await request(ju.app).post('/v1/me/legal-representations').set(bearer(other.token)).send({ person, basis: 'parental-authority' });
  expect(again.status).toBe(409);
  expect(again.body.error.code).toBe('already_registered');
});

it('JU: refuses a request for a person of age on parental authority, for a user of the counter, and from someone who is not one', async () => {
  const marc = await user(ju, 'JU');
  const adult = people.people.adult!;
  const base = { lastName: 'X', firstName: 'Y', address: { street: 'Rue 1', postCode: '2800', locality: 'Delémont' }, commune: 'Delémont' };
  const ofAge = await request(ju.app)
    .post('/v1/me/legal-representations')
    .set(bearer(marc.token))
    .send({ person: { ...base, birthDate: adult.birthDate, avsNumber: adult.avsNumber }, basis: 'parental-authority' });
  expect(ofAge.status).toBe(422);
  expect(ofAge.body.error.details).toEqual([{ path: 'person.birthDate', issue: expect.stringContaining('of age') }]);
  const registered = await user(ju, 'JU');
  const isUser = await request(ju.app)
    .post('/v1/me/written-proxies')
    .set(bearer(marc.token))
    .send({ person: { ...base, birthDate: '1980-05-05', avsNumber: registered.own.avsNumber }, services: ['library'] });
  expect(isUser.status).toBe(409);
  expect(isUser.body.error.code).toBe('already_registered');
  const stranger = await ju.token({ role: 'citizen', sub: 'not-a-user' });
  expect(
    (
      await request(ju.app)
        .post('/v1/me/written-proxies')
        .set(bearer(stranger))
        .send({ person: { ...base, birthDate: '1980-05-05', avsNumber: adult.avsNumber }, services: ['library'] })
    ).status,
  ).toBe(403);
});
