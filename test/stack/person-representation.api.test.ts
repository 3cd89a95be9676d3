// A person's representation on their case, for the Chancellery (Art. 9, 12): the proxies the
// person gave and received, the entities the person acts for. Nobody else reads it — not even
// the person, who has /v1/proxies and /v1/entities — and each read is in the access log.
import { randomInt, randomUUID } from 'node:crypto';
import request from 'supertest';
import { isValidUid } from '../../domain/uid';
import { insertContract } from '../support/contracts';
import { startStack, type Stack } from '../support/stack';

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
  return { sub: c.sub, token: await stack.token({ role: 'citizen', sub: c.sub }) };
}

/** A UID of its own (valid check digit), so the shared database holds it once. */
function freshUid(): string {
  for (;;) {
    const digits = String(randomInt(10_000_000, 99_999_999)) + String(randomInt(0, 10));
    const uid = `CHE-${digits.slice(0, 3)}.${digits.slice(3, 6)}.${digits.slice(6)}`;
    if (isValidUid(uid)) return uid;
  }
}

/** An entity admitted earlier, the person among its people. */
async function entityWith(sub: string, role: 'signatory' | 'employee', services: string[] = []) {
  const uid = freshUid();
  const id = randomUUID();
  await stack.db.legalEntity.create({
    data: {
      id,
      sub: `entity:${uid.replace(/\D/g, '')}`,
      uid,
      name: `Scierie Exemple ${uid.slice(-3)} SA`,
      legalForm: 'SA',
      legalSeat: 'Saignelégier',
      email: 'info@example.ch',
      street: 'Rue de la Gare 1',
      postCode: '2350',
      locality: 'Saignelégier',
      canton: 'JU',
      signingPower: 'individual',
      applicationId: randomUUID(),
      members: { create: { id: randomUUID(), sub, role, services, status: 'active', addedBySub: sub, addedAt: new Date() } },
    },
  });
  return uid;
}

it('shows the Chancellery the proxies a person gave and received and the entities the person acts for; each read access-logged', async () => {
  const adele = await user();
  const marc = await user();
  const chloe = await user();
  const given = await request(stack.app)
    .post('/v1/me/proxies')
    .set(bearer(adele.token))
    .send({ representativeSub: marc.sub, services: ['library'] });
  expect(given.status).toBe(201);
  await request(stack.app).post(`/v1/proxies/${given.body.proxyId}/acceptance`).set(bearer(marc.token)).expect(200);
  const received = await request(stack.app).post('/v1/me/proxies').set(bearer(chloe.token)).send({ representativeSub: adele.sub, decisions: true });
  expect(received.status).toBe(201);
  const uid = await entityWith(adele.sub, 'employee', ['archives']);

  const reviewer = await stack.token({ role: 'chancellery', sub: 'staff-representation' });
  const res = await request(stack.app)
    .get(`/v1/people/${encodeURIComponent(adele.sub)}/representation`)
    .set(bearer(reviewer));

  expect(res.status).toBe(200);
  expect(res.body.proxies).toHaveLength(2);
  expect(res.body.proxies).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ grantorSub: adele.sub, representativeSub: marc.sub, services: ['library'], status: 'active' }),
      expect.objectContaining({ grantorSub: chloe.sub, representativeSub: adele.sub, services: [], decisions: true, status: 'offered' }),
    ]),
  );
  expect(res.body.entities).toEqual([{ uid, name: expect.stringContaining('Scierie Exemple'), role: 'employee', services: ['archives'], status: 'active' }]);
  const logged = await stack.db.accessLog.findMany({ where: { recordId: adele.sub, actorSub: 'staff-representation' } });
  expect(logged).toEqual([
    expect.objectContaining({ actorRole: 'chancellery', action: 'read.representation', recordType: 'person', purpose: expect.stringContaining('Art. 9') }),
  ]);
});

it('answers a person with no proxy and no entity with empty lists', async () => {
  const alone = await user();
  const reviewer = await stack.token({ role: 'chancellery', sub: 'staff-representation' });
  const res = await request(stack.app)
    .get(`/v1/people/${encodeURIComponent(alone.sub)}/representation`)
    .set(bearer(reviewer));
  expect(res.status).toBe(200);
  expect(res.body).toEqual({ proxies: [], entities: [] });
});

it('is for the Chancellery alone: the person, another citizen, a unit and the authority are refused, and nothing is logged', async () => {
  const adele = await user();
  const marc = await user();
  await request(stack.app).post('/v1/me/proxies').set(bearer(adele.token)).send({ representativeSub: marc.sub, services: [] }).expect(201);
  const path = `/v1/people/${encodeURIComponent(adele.sub)}/representation`;
  const callers = [
    adele.token,
    marc.token,
    await stack.token({ role: 'unit', sub: 'agent-representation', unit: 'SPOP', domains: ['population'] }),
    await stack.token({ role: 'authority', sub: 'apea-representation' }),
  ];
  for (const token of callers) {
    const res = await request(stack.app).get(path).set(bearer(token));
    expect([403, 404]).toContain(res.status);
    expect(JSON.stringify(res.body)).not.toContain(marc.sub);
  }
  expect(await stack.db.accessLog.count({ where: { recordId: adele.sub } })).toBe(0);
  expect((await request(stack.app).get(path)).status).toBe(401);
});
