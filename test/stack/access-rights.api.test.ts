// Neuchâtel's access rights for the Chancellery, through the API on the real stack: an
// account blocked at the 8th wrong attempt in a row (NE 7.1) is in the list of blocked
// accounts with its task; its state is read (access-logged); the block is lifted through the
// task inbox on a written request (NE 7.6). Nobody but the Chancellery reads them, not even the
// account's own holder.
import request from 'supertest';
import { createApplication } from '../../app';
import { createGateways, createTemporalAccessRights } from '../../app/gateways';
import { insertContract } from '../support/contracts';
import { startStack, waitFor, type Stack } from '../support/stack';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ canton: 'NE' });
});
afterAll(async () => {
  await stack?.stop();
});

const bearer = (t: string) => ({ Authorization: `Bearer ${t}` });
const RULE_SET = 'NE-GU-2025';

async function blockedAccount() {
  const c = await insertContract(stack.db, { canton: 'NE' });
  const userId = `user-${c.applicationId}`;
  // As the conclusion of an NE contract starts it: the use case, on the deployment's rule set.
  const app = createApplication({
    db: stack.db,
    canton: 'NE',
    gateways: createGateways({ client: stack.client, taskQueue: stack.taskQueue, ruleSetId: RULE_SET }),
  });
  expect(await app.accessRights.ensureAccessRights(userId)).toBe(true);
  expect(await app.accessRights.ensureAccessRights(userId)).toBe(false);
  const idp = createTemporalAccessRights(stack.client, stack.taskQueue, RULE_SET);
  for (let i = 0; i < 7; i++) await idp.failed(userId, 'password');
  expect(await idp.failed(userId, 'second-factor')).toMatchObject({ state: 'blocked', failuresInARow: 8 });
  return { ...c, userId, idp, holder: await stack.token({ role: 'citizen', sub: c.sub }) };
}

it('lists the blocked accounts with their task, reads one (access-logged), and lifts the block through the inbox', async () => {
  const a = await blockedAccount();
  const staff = await stack.token({ role: 'chancellery', sub: 'staff-rights' });

  const listed = await waitFor(
    async () => (await request(stack.app).get('/v1/access-rights?state=blocked&limit=100').set(bearer(staff)).expect(200)).body,
    (b: { items: Array<{ userId: string; openTaskId: string | null }> }) => b.items.some((i) => i.userId === a.userId && i.openTaskId !== null),
  );
  const item = listed.items.find((i) => i.userId === a.userId)!;
  expect(item).toMatchObject({ canton: 'NE', state: 'blocked', failuresInARow: 8, lockedUntil: null, lastSignInAt: null, deactivatesAt: expect.any(String) });
  const locked = (await request(stack.app).get('/v1/access-rights?state=locked&limit=100').set(bearer(staff)).expect(200)).body;
  expect(locked.items.map((i: { userId: string }) => i.userId)).not.toContain(a.userId);
  expect(await stack.db.accessLog.count({ where: { actorSub: 'staff-rights', action: { startsWith: 'read.access-rights-list.blocked' } } })).toBeGreaterThan(0);

  const one = await request(stack.app).get(`/v1/accounts/${a.userId}/access-rights`).set(bearer(staff)).expect(200);
  expect(one.body).toMatchObject({ userId: a.userId, state: 'blocked', failuresInARow: 8, openTaskId: item.openTaskId });
  expect(await stack.db.accessLog.count({ where: { actorSub: 'staff-rights', action: 'read.access-rights', recordId: a.userId } })).toBe(1);

  // The task, in the Chancellery's inbox: lifted on a written request, with what was received.
  const taskId = item.openTaskId!;
  const task = (await request(stack.app).get(`/v1/tasks/${taskId}`).set(bearer(staff)).expect(200)).body;
  expect(task).toMatchObject({ kind: 'access-rights-block', status: 'open', contractId: a.contractId, unitId: null });
  expect(task.subject).toContain('émolument');
  await request(stack.app).post(`/v1/tasks/${taskId}/claim`).set(bearer(staff)).expect(200);
  const empty = await request(stack.app).post(`/v1/tasks/${taskId}/complete`).set(bearer(staff)).send({ outcome: 'lift', justification: ' ' });
  expect(empty.status).toBe(400);
  const wrong = await request(stack.app).post(`/v1/tasks/${taskId}/complete`).set(bearer(staff)).send({ outcome: 'approve', justification: 'ok' });
  expect(wrong.status).toBe(400);
  await request(stack.app)
    .post(`/v1/tasks/${taskId}/complete`)
    .set(bearer(staff))
    .send({ outcome: 'lift', justification: 'demande écrite du 1er décembre reçue, identité vérifiée' })
    .expect(200);

  const after = await waitFor(
    async () => (await request(stack.app).get(`/v1/accounts/${a.userId}/access-rights`).set(bearer(staff)).expect(200)).body,
    (b: { state: string }) => b.state === 'active',
  );
  expect(after).toMatchObject({ failuresInARow: 0, openTaskId: null });
  expect(await a.idp.succeeded(a.userId)).toMatchObject({ state: 'active' });
});

it('refuses everyone but the Chancellery, the account holder included; an unknown account is 404, a bad query 400', async () => {
  const a = await blockedAccount();
  const unit = await stack.token({ role: 'unit', sub: 'unit-staff', unit: 'SCAV', domains: ['library'] });
  for (const token of [a.holder, unit]) {
    expect((await request(stack.app).get(`/v1/accounts/${a.userId}/access-rights`).set(bearer(token))).status).toBe(403);
    expect((await request(stack.app).get('/v1/access-rights?state=blocked').set(bearer(token))).status).toBe(403);
  }
  expect((await request(stack.app).get(`/v1/accounts/${a.userId}/access-rights`)).status).toBe(401);
  expect(await stack.db.accessLog.count({ where: { recordId: a.userId, action: 'read.access-rights' } })).toBe(0);

  const staff = await stack.token({ role: 'chancellery', sub: 'staff-rights-2' });
  expect((await request(stack.app).get('/v1/accounts/user-00000000-0000-4000-8000-000000000000/access-rights').set(bearer(staff))).status).toBe(404);
  const badId = await request(stack.app).get('/v1/accounts/someone@example.ch/access-rights').set(bearer(staff));
  expect(badId.status).toBe(400);
  const badState = await request(stack.app).get('/v1/access-rights?state=frozen').set(bearer(staff));
  expect(badState.status).toBe(400);
  expect(JSON.stringify(badState.body)).toContain('state');
});
