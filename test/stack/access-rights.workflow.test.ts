// Neuchâtel's access rights (NE 7.1, 7.4, 7.6) on the time-skipping server, through the port
// the identity provider calls (app/gateways/access-rights.ts): 5 wrong entries lock the
// account for 15 minutes, the 8th in a row blocks it until the Chancellery lifts the block;
// 540 days without a sign-in deactivate it, with a warning e-mail 30 days before, and a sign-in
// moves the day; the lock survives a worker restart; the row the Chancellery lists follows.
import { randomUUID } from 'node:crypto';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { ACCESS_RIGHTS_WARNING_TEMPLATE } from '../../activities/access-rights';
import { formatSwissDate } from '../../activities/mail-templates';
import { createTemporalAccessRights, createTemporalContractEngine, createTemporalProxyEngine } from '../../app/gateways';
import type { AccessRightsStatus } from '../../domain/access-rights';
import { localDay } from '../../domain/days';
import { ruleSetById } from '../../domain/rule-sets';
import { workerDataConverter } from '../../infra/codec';
import { accessRightsWorkflowId } from '../../workflows/access-rights/definitions';
import type { accessRights } from '../../workflows/access-rights/workflow';
import { claimTaskUpdate, completeTaskUpdate } from '../../workflows/task/definitions';
import { insertContract } from '../support/contracts';
import { fixtureKeyring, recordHistory } from '../support/histories';
import { bundle, waitFor } from '../support/stack';
import { startTimeSkippingSuite, type TimeSkippingSuite } from '../support/time-skipping';

const NE = ruleSetById('NE-GU-2025');
const RULES = NE.accessRights!;
const DAY_MS = 86_400_000;

let suite: TimeSkippingSuite;
beforeAll(async () => {
  suite = await startTimeSkippingSuite();
});
afterAll(async () => {
  await suite?.stop();
});

const port = () => createTemporalAccessRights(suite.env.client, suite.taskQueue, NE.ruleSet.id);

/** An admitted Neuchâtel user, and the process of its account started as a concluded contract starts it. */
async function account(rights = port()) {
  const c = await insertContract(suite.db, { canton: 'NE' });
  const userId = `user-${c.applicationId}`;
  expect(await rights.start(userId)).toBe(true);
  expect(await rights.start(userId)).toBe(false); // idempotent: the same account again
  const handle = suite.env.client.workflow.getHandle(accessRightsWorkflowId(userId));
  const row = () => suite.db.accessRights.findUnique({ where: { userId } });
  const rowIn = (state: string) => waitFor(row, (r) => r?.state === state);
  return { ...c, userId, rights, handle, row, rowIn };
}

async function failTimes(a: { userId: string; rights: ReturnType<typeof port> }, n: number): Promise<AccessRightsStatus> {
  let last: AccessRightsStatus | undefined;
  for (let i = 0; i < n; i++) last = await a.rights.failed(a.userId, i % 2 ? 'password' : 'second-factor');
  return last!;
}

/** The Chancellery's open task of the account, once in the inbox's table. */
const openTask = (workflowId: string, kind: string) =>
  waitFor(
    () => suite.db.task.findFirst({ where: { workflowId, kind, status: 'open' } }),
    (t) => t !== null,
  ).then((t) => t!);

async function completeTask(handle: ReturnType<typeof suite.env.client.workflow.getHandle>, taskId: string, outcome: 'lift' | 'reactivate') {
  await handle.executeUpdate(claimTaskUpdate, { args: [{ taskId, by: 'staff-rights' }] });
  return (await handle.executeUpdate(completeTaskUpdate, {
    args: [{ taskId, by: 'staff-rights', outcome, justification: 'demande écrite reçue le 2 décembre, signature vérifiée' }],
  })) as AccessRightsStatus;
}

it('locks for 15 minutes at the 5th wrong entry, blocks at the 8th in a row, and the Chancellery lifts the block', async () => {
  const a = await account();
  // NE 3.1: the process issues the access rights first, both letters posted.
  const issued = await waitFor(
    () => suite.db.credential.findUnique({ where: { userId: a.userId } }),
    (c) => !!c?.passwordLetter,
  );
  expect(issued).toMatchObject({ generation: 1, mustChange: true, userCodeLetter: expect.any(String) });
  expect(await a.rights.status(a.userId)).toMatchObject({ state: 'active', failuresInARow: 0 });
  expect(await failTimes(a, 4)).toMatchObject({ state: 'active', failuresInARow: 4 });

  const t0 = await suite.env.currentTimeMs();
  const locked = await a.rights.failed(a.userId, 'user-code');
  expect(locked).toMatchObject({ state: 'locked', failuresInARow: 5 });
  expect(Date.parse(locked.lockedUntil!) - t0).toBeGreaterThanOrEqual(RULES.lockMinutes * 60_000 - 1000);
  expect(Date.parse(locked.lockedUntil!) - t0).toBeLessThanOrEqual(RULES.lockMinutes * 60_000 + 5000);
  expect(await a.rowIn('locked')).toMatchObject({ failuresInARow: 5, lockedUntil: new Date(locked.lockedUntil!) });

  // While locked, every attempt is refused: the right password changes nothing, a wrong one still counts.
  expect(await a.rights.succeeded(a.userId)).toMatchObject({ state: 'locked', failuresInARow: 5 });
  expect(await a.rights.failed(a.userId, 'password')).toMatchObject({ state: 'locked', failuresInARow: 6, lockedUntil: locked.lockedUntil });
  await suite.env.sleep(`${RULES.lockMinutes - 1} minutes`);
  expect(await a.rights.status(a.userId)).toMatchObject({ state: 'locked' });

  await suite.env.sleep('2 minutes');
  expect(await a.rights.status(a.userId)).toMatchObject({ state: 'active', failuresInARow: 6 });
  expect(await a.rowIn('active')).toMatchObject({ lockedUntil: null });

  // The count goes on across the lock: the 7th is one more, the 8th in a row blocks.
  expect(await a.rights.failed(a.userId, 'password')).toMatchObject({ state: 'active', failuresInARow: 7 });
  expect(await a.rights.failed(a.userId, 'password')).toMatchObject({ state: 'blocked', failuresInARow: 8 });
  expect(await a.rights.succeeded(a.userId)).toMatchObject({ state: 'blocked' });
  await a.rowIn('blocked');
  expect(await suite.db.auditLog.findMany({ where: { recordId: a.userId }, orderBy: { at: 'asc' }, select: { action: true } })).toEqual(
    expect.arrayContaining([{ action: 'access-rights.locked' }, { action: 'access-rights.active' }, { action: 'access-rights.blocked' }]),
  );

  // NE 7.6: the Chancellery's task, about the account's contract, the emolument reserved.
  const task = await openTask(a.handle.workflowId, 'access-rights-block');
  expect(task).toMatchObject({ contractId: a.contractId, unitId: null, canton: 'NE' });
  expect(task.subject).toContain('huitième tentative');
  expect(task.subject).toContain('émolument');
  // A blocked account stays blocked, however long: no timer lifts it.
  await suite.env.sleep('2 days');
  expect(await a.rights.status(a.userId)).toMatchObject({ state: 'blocked' });

  expect(await completeTask(a.handle, task.id, 'lift')).toMatchObject({ state: 'active', failuresInARow: 0 });
  expect(await a.rowIn('active')).toMatchObject({ failuresInARow: 0 });
  expect(await suite.db.task.findUniqueOrThrow({ where: { id: task.id } })).toMatchObject({
    status: 'completed',
    outcome: 'lift',
    completedBy: 'staff-rights',
  });
  // Signed in again; 5 more wrong entries lock again (the count started over).
  expect(await a.rights.succeeded(a.userId)).toMatchObject({ state: 'active', lastSignInAt: expect.any(String) });
  expect(await failTimes(a, 5)).toMatchObject({ state: 'locked', failuresInARow: 5 });
  await recordHistory('access-rights-letters-locked-blocked-lifted', a.handle);
});

it('warns by e-mail 30 days before the 540th day without a sign-in, deactivates then, and the Chancellery reactivates', async () => {
  const a = await account();
  const started = await a.rights.status(a.userId);
  const deactivatesAt = Date.parse(started!.deactivatesAt!);
  expect(deactivatesAt - (await suite.env.currentTimeMs())).toBeGreaterThan((RULES.deactivateAfterDays - 1) * DAY_MS);
  const warned = () => suite.adapters.mail.messages.filter((m) => m.to.includes(a.email.toLowerCase()));

  await suite.env.sleep(`${RULES.deactivateAfterDays - RULES.warnDaysBefore - 1} days`);
  expect(warned()).toHaveLength(0);
  await suite.env.sleep('2 days');
  const mail = await suite.adapters.mail.waitFor((m) => m.to.includes(a.email.toLowerCase()));
  const day = formatSwissDate(localDay(new Date(deactivatesAt), NE.timeZone));
  expect(mail.subject).toBe(`Votre compte du Guichet unique sera désactivé le ${day}`);
  expect(mail.text).toContain('Bonjour Essai Contrat,');
  expect(mail.text).toContain(`Votre compte sera désactivé le ${day}.`);
  expect(mail.text).toContain('ch. 7.4');
  expect(mail.text).toContain('République et Canton de Neuchâtel');
  expect(mail.text).not.toMatch(/Jura|Delémont/);
  expect(await suite.db.mailOutbox.findMany({ where: { recordId: a.userId } })).toEqual([
    expect.objectContaining({ template: ACCESS_RIGHTS_WARNING_TEMPLATE, sentAt: expect.any(Date) }),
  ]);
  expect(await a.rights.status(a.userId)).toMatchObject({ state: 'active' });

  await suite.env.sleep(`${RULES.warnDaysBefore} days`);
  expect(await a.rights.status(a.userId)).toEqual({ state: 'deactivated', failuresInARow: 0 });
  expect(await a.rowIn('deactivated')).toMatchObject({ deactivatesAt: null });
  // A deactivated account signs in no more.
  expect(await a.rights.succeeded(a.userId)).toMatchObject({ state: 'deactivated' });
  expect(warned()).toHaveLength(1);

  const task = await openTask(a.handle.workflowId, 'account-deactivated');
  expect(task.subject).toContain('540 jours');
  const reactivated = await completeTask(a.handle, task.id, 'reactivate');
  const now = await suite.env.currentTimeMs();
  expect(reactivated).toMatchObject({ state: 'active', failuresInARow: 0 });
  expect(Date.parse(reactivated.deactivatesAt!) - now).toBeGreaterThan((RULES.deactivateAfterDays - 1) * DAY_MS);
  expect(await a.rowIn('active')).toMatchObject({ deactivatesAt: new Date(reactivated.deactivatesAt!) });
  expect(await a.rights.succeeded(a.userId)).toMatchObject({ state: 'active' });
  await recordHistory('access-rights-letters-deactivated-reactivated', a.handle);
});

it('a sign-in on day 300 moves the deactivation to 540 days after it: nothing falls on day 540 from the start', async () => {
  const a = await account();
  await suite.env.sleep('300 days');
  const signedIn = await a.rights.succeeded(a.userId);
  const now = await suite.env.currentTimeMs();
  expect(signedIn).toMatchObject({ state: 'active', lastSignInAt: expect.any(String) });
  expect(Math.abs(Date.parse(signedIn.deactivatesAt!) - (now + RULES.deactivateAfterDays * DAY_MS))).toBeLessThan(60_000);
  await waitFor(a.row, (r) => r?.lastSignInAt !== null);

  await suite.env.sleep('250 days'); // day 550 from the start
  expect(await a.rights.status(a.userId)).toMatchObject({ state: 'active', deactivatesAt: signedIn.deactivatesAt });
  expect(suite.adapters.mail.messages.filter((m) => m.to.includes(a.email.toLowerCase()))).toHaveLength(0);
  expect(await a.row()).toMatchObject({ state: 'active' });
});

it('continues as new after its Updates, keeping the count, the lock and the deactivation day', async () => {
  const c = await insertContract(suite.db, { canton: 'NE' });
  const userId = `user-${c.applicationId}`;
  const rights = port();
  const first = await suite.env.client.workflow.start<typeof accessRights>('accessRights', {
    taskQueue: suite.taskQueue,
    workflowId: accessRightsWorkflowId(userId),
    args: [{ userId, canton: 'NE', ruleSetId: NE.ruleSet.id, updatesPerRun: 3 }],
  });
  const deactivatesAt = (await rights.status(userId))!.deactivatesAt;
  await failTimes({ userId, rights }, 3);
  const runOf = async () => (await suite.env.client.workflow.getHandle(first.workflowId).describe()).runId;
  await waitFor(runOf, (r) => r !== first.firstExecutionRunId);
  expect(await rights.status(userId)).toEqual({ state: 'active', failuresInARow: 3, deactivatesAt });
  expect(await failTimes({ userId, rights }, 2)).toMatchObject({ state: 'locked', failuresInARow: 5 });
  expect(await rights.failed(userId, 'password')).toMatchObject({ state: 'locked', failuresInARow: 6 });
  // A locked run does not continue as new before the lock is over; then the next run is active.
  await suite.env.sleep(`${RULES.lockMinutes + 1} minutes`);
  expect(await rights.status(userId)).toMatchObject({ state: 'active', failuresInARow: 6, deactivatesAt });
  expect(
    await waitFor(
      () => suite.db.accessRights.findUnique({ where: { userId } }),
      (r) => r?.state === 'active',
    ),
  ).toMatchObject({
    failuresInARow: 6,
  });
});

it('keeps the lock across a worker restart (a new worker, the same server)', async () => {
  const taskQueue = `ar-${randomUUID()}`;
  const { keys, activeKeyId } = fixtureKeyring();
  const newWorker = async () =>
    Worker.create({
      connection: suite.env.nativeConnection,
      taskQueue,
      workflowBundle: await bundle(),
      activities: createActivities({
        db: suite.db,
        dataKeys: suite.dataKeys,
        ...suite.adapters.adapters,
        contracts: createTemporalContractEngine(suite.env.client, taskQueue),
        retention: suite.retention,
        proxies: createTemporalProxyEngine(suite.env.client, taskQueue),
      }),
      dataConverter: workerDataConverter(keys, activeKeyId, suite.dataKeys),
      // No sticky cache: the time-skipping server would keep routing the account's tasks to the
      // stopped worker's sticky queue; the new worker rebuilds the state from the history.
      maxCachedWorkflows: 0,
    });
  const rights = createTemporalAccessRights(suite.env.client, taskQueue, NE.ruleSet.id);
  let worker = await newWorker();
  let running = worker.run();
  const a = await account(rights);
  expect(await failTimes(a, 5)).toMatchObject({ state: 'locked' });
  const { lockedUntil } = (await a.rights.status(a.userId))!;
  worker.shutdown();
  await running;

  worker = await newWorker();
  running = worker.run();
  try {
    await suite.env.sleep(`${RULES.lockMinutes - 2} minutes`);
    expect(await a.rights.status(a.userId)).toMatchObject({ state: 'locked', lockedUntil, failuresInARow: 5 });
    expect(await a.rights.succeeded(a.userId)).toMatchObject({ state: 'locked' });
    await suite.env.sleep('3 minutes');
    expect(await a.rights.status(a.userId)).toMatchObject({ state: 'active', failuresInARow: 5 });
    expect(await a.rights.succeeded(a.userId)).toMatchObject({ state: 'active', failuresInARow: 0 });
  } finally {
    worker.shutdown();
    await running;
  }
});

it('a rule set without access rights (JU) counts nothing: the process ends at once', async () => {
  const userId = `user-${randomUUID()}`;
  const ju = createTemporalAccessRights(suite.env.client, suite.taskQueue, 'JU-GVS-2013');
  expect(ju.applies()).toBe(false);
  expect(port().applies()).toBe(true);
  await ju.start(userId);
  expect(await suite.env.client.workflow.getHandle(accessRightsWorkflowId(userId)).result()).toMatchObject({ state: 'active', failuresInARow: 0 });
  expect(await port().status(`user-${randomUUID()}`)).toBeNull();
});
