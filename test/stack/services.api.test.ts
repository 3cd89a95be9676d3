// The catalogue of services (Art. 14-15) through the API: the Chancellery and the owning unit
// manage a service, nobody else; an unknown unit is 422; a form that is no valid JSON Schema is
// refused before it could judge a submission; the catalogue's `sensitive` flag decides which
// transactions need a transaction code on Neuchâtel's counter (NE 4.5); `npm start`'s demo
// catalogue is Neuchâtel's there.
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { demoDataOf, seedDemoServices, seedDemoUnits } from '../../scripts/lib/demo-data';
import { juraNamesIn } from '../support/canton-names';
import { insertUnit } from '../support/decisions';
import { startStack, type Stack } from '../support/stack';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ canton: 'NE', ownDatabase: true });
});
afterAll(async () => {
  await stack?.stop();
});

const bearer = (t: string) => ({ Authorization: `Bearer ${t}` });
const id = (name: string) => `${name}-${randomBytes(3).toString('hex')}`;
const body = (unitId: string, extra: object = {}) => ({
  unitId,
  domain: 'population',
  title: { fr: 'Attestation de test', de: 'Testbestätigung' },
  access: 'on-request',
  delegable: true,
  adultsOnly: false,
  feeChf: 12.5,
  formSchema: { type: 'object', required: ['kind'], properties: { kind: { enum: ['domicile', 'sejour'] } }, additionalProperties: false },
  ...extra,
});
const put = (serviceId: string, token: string, b: object) => request(stack.app).put(`/v1/services/${serviceId}`).set(bearer(token)).send(b);

it('the Chancellery creates and replaces a service; everyone signed in reads it', async () => {
  const unitId = await insertUnit(stack.db);
  const staff = await stack.token({ role: 'chancellery', sub: 'svc-staff' });
  const serviceId = id('attestation');
  const created = await put(serviceId, staff, body(unitId));
  expect(created.status).toBe(201);
  expect(created.body).toMatchObject({ id: serviceId, unitId, access: 'on-request', feeChf: 12.5, sensitive: false });
  expect(await stack.db.service.findUniqueOrThrow({ where: { id: serviceId } })).toMatchObject({ feeCents: 1250, updatedBy: 'svc-staff' });
  const replaced = await put(serviceId, staff, body(unitId, { access: 'free', feeChf: null }));
  expect(replaced.status).toBe(200);
  expect(replaced.body).toMatchObject({ access: 'free', feeChf: null });

  const citizen = await stack.token({ role: 'citizen', sub: 'svc-citizen' });
  const listed = await request(stack.app).get('/v1/services').query({ unitId }).set(bearer(citizen));
  expect(listed.status).toBe(200);
  expect(listed.body.items.map((s: { id: string }) => s.id)).toEqual([serviceId]);
  expect((await request(stack.app).get(`/v1/services/${serviceId}`).set(bearer(citizen))).body.title).toEqual({
    fr: 'Attestation de test',
    de: 'Testbestätigung',
  });
  expect((await request(stack.app).get('/v1/services/no-such-service').set(bearer(citizen))).status).toBe(404);
  // A citizen manages nothing.
  expect((await put(serviceId, citizen, body(unitId))).status).toBe(403);
});

it('a unit manages its own services in its own domains, never another unit’s', async () => {
  const own = await insertUnit(stack.db);
  const other = await insertUnit(stack.db);
  const agent = await stack.token({ role: 'unit', sub: 'svc-agent', unit: own, domains: ['population'] });
  const serviceId = id('camp');
  expect((await put(serviceId, agent, body(own))).status).toBe(201);
  // Not for another unit, not in another domain, and not by handing its own away.
  expect((await put(id('camp'), agent, body(other))).status).toBe(403);
  expect((await put(id('camp'), agent, body(own, { domain: 'impots' }))).status).toBe(403);
  expect((await put(serviceId, agent, body(other))).status).toBe(403);
  const staff = await stack.token({ role: 'chancellery', sub: 'svc-staff' });
  const otherAgent = await stack.token({ role: 'unit', sub: 'svc-agent-2', unit: other, domains: ['population'] });
  expect((await put(serviceId, otherAgent, body(other))).status).toBe(403);
  expect((await put(serviceId, staff, body(own))).status).toBe(200);
});

it('refuses an unknown unit (422), a form that is no JSON Schema, and a fee below the centime, storing nothing', async () => {
  const staff = await stack.token({ role: 'chancellery', sub: 'svc-staff' });
  const unitId = await insertUnit(stack.db);
  const unknown = await put(id('x'), staff, body('NO-SUCH-UNIT'));
  expect(unknown.status).toBe(422);
  expect(unknown.body.error).toMatchObject({ code: 'unknown_unit', details: [{ path: 'unitId', issue: 'unknown unit' }] });

  const broken = await put(id('x'), staff, body(unitId, { formSchema: { type: 'objekt' } }));
  expect(broken.status).toBe(400);
  expect(broken.body.error.details[0].path).toBe('formSchema');
  expect(broken.body.error.details[0].issue).toContain('not a valid JSON Schema');

  const centimes = await put(id('x'), staff, body(unitId, { feeChf: 12.345 }));
  expect(centimes.status).toBe(400);
  expect(centimes.body.error.details[0]).toMatchObject({ path: 'feeChf', issue: 'to the centime at most' });
  expect((await put('Not A Slug', staff, body(unitId))).status).toBe(400);
  expect(await stack.db.service.count({ where: { unitId: 'NO-SUCH-UNIT' } })).toBe(0);
});

it("the catalogue's sensitive flag decides which transactions need a transaction code (NE 4.5)", async () => {
  const staff = await stack.token({ role: 'chancellery', sub: 'svc-staff' });
  const unitId = await insertUnit(stack.db);
  const serviceId = id('vote');
  const citizen = await stack.token({ role: 'citizen', sub: `svc-voter-${randomBytes(3).toString('hex')}` });
  const ask = () =>
    request(stack.app)
      .post('/v1/me/transaction-codes')
      .set(bearer(citizen))
      .send({ purpose: { action: 'access-request.create', service: serviceId } });
  expect((await put(serviceId, staff, body(unitId, { sensitive: false }))).status).toBe(201);
  expect((await ask()).status).toBe(400); // this transaction needs no code
  expect((await put(serviceId, staff, body(unitId, { sensitive: true }))).status).toBe(200);
  // Needed now: the code would go to her mobile phone, which the counter does not know.
  const needed = await ask();
  expect(needed.status).toBe(409);
  expect(needed.body.error.code).toBe('no_mobile_phone');
});

it("npm start's demo catalogue: the seeds' services, Neuchâtel's units and commune, seeded once", async () => {
  await seedDemoUnits(stack.db, 'NE');
  await seedDemoServices(stack.db, 'NE');
  await seedDemoServices(stack.db, 'NE');
  const staff = await stack.token({ role: 'chancellery', sub: 'svc-staff' });
  const { items } = (await request(stack.app).get('/v1/services').set(bearer(staff))).body as {
    items: { id: string; unitId: string; formSchema: object | null }[];
  };
  const ids = demoDataOf('NE').services.map((s) => s.id);
  expect(items.filter((s) => ids.includes(s.id)).map((s) => s.id)).toEqual([...ids].sort());
  expect(items.find((s) => s.id === 'attestation-de-residence')).toMatchObject({ unitId: 'COMMUNE-NEUCHATEL' });
  // Every demo form is a valid JSON Schema (the API would refuse it otherwise) and the texts name no Jura place.
  for (const s of demoDataOf('NE').services) {
    if (s.formSchema) expect((await put(s.id, staff, { ...body(s.unitId), domain: s.domain, formSchema: s.formSchema })).status).toBe(200);
    expect(juraNamesIn(`${s.titleFr} ${s.titleDe}`)).toEqual([]);
  }
  for (const u of demoDataOf('NE').units) expect(juraNamesIn(u.address.join(' '))).toEqual([]);
});

it('an access request to a unit the counter does not know is 422, and starts nothing', async () => {
  const sub = `svc-asker-${randomBytes(3).toString('hex')}`;
  const token = await stack.token({ role: 'citizen', sub });
  const res = await request(stack.app)
    .post('/v1/access-requests')
    .set(bearer(token))
    .send({ unitId: 'NO-SUCH-UNIT', service: 'archives', avsNumber: '756.9217.0769.85', email: 'asker@example.ch' });
  expect(res.status).toBe(422);
  expect(res.body.error).toMatchObject({ code: 'unknown_unit', details: [{ path: 'unitId', issue: 'unknown unit' }] });
  expect(await stack.db.accessRequest.count({ where: { citizenSub: sub } })).toBe(0);
});
