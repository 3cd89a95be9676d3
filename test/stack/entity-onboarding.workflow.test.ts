// The entityOnboarding workflow on the time-skipping server: the commercial register's
// finding routes it; the Chancellery's powers task is reminded while nobody acts; an entity
// represented collectively waits for its written contract (Art. 13.1), then contracts and
// hands its contract to the contract workflow; a register outage delays, it loses nothing.
import { randomUUID } from 'node:crypto';
import { profiles } from '../../domain/profiles';
import { entityOnboardingWorkflowId, entityStateQuery, entityTaskIdFor } from '../../workflows/entity-onboarding/definitions';
import type { entityOnboarding } from '../../workflows/entity-onboarding/workflow';
import { personalData } from '../../workflows/personal-data';
import { claimTaskUpdate, completeTaskUpdate, type TaskCompletion } from '../../workflows/task/definitions';
import { insertContract } from '../support/contracts';
import { recordHistory } from '../support/histories';
import { startTimeSkippingSuite, type TimeSkippingSuite } from '../support/time-skipping';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

let suite: TimeSkippingSuite;
beforeAll(async () => {
  // Its own database: one UID of the fixture is contracted once.
  suite = await startTimeSkippingSuite({ ownDatabase: true });
});
afterAll(async () => {
  await suite?.stop();
});

const ADELE = { firstName: 'Adèle', lastName: 'Exemple', birthDate: '1985-03-21' };

async function filed(uid: string) {
  const c = await insertContract(suite.db, { canton: 'JU' });
  await suite.db.registeredUser.update({ where: { sub: c.sub }, data: ADELE });
  const applicationId = randomUUID();
  await suite.db.entityApplication.create({
    data: {
      id: applicationId,
      canton: 'JU',
      uid,
      filedBySub: c.sub,
      status: 'checking',
      email: `info-${applicationId.slice(0, 8)}@example.ch`,
      street: 'Grand-Rue 3',
      postCode: '2900',
      locality: 'Porrentruy',
      termsVersion: 'CG-2013-1',
      documentSha256: '0'.repeat(64),
      signatureValue: 'MIIB',
      signedAt: new Date(),
      requestHash: applicationId,
      submittedAt: new Date(),
    },
  });
  const handle = await suite.env.client.workflow.start<typeof entityOnboarding>('entityOnboarding', {
    taskQueue: suite.taskQueue,
    workflowId: entityOnboardingWorkflowId(applicationId),
    args: [{ applicationId, canton: 'JU' }],
  });
  return { applicationId, handle, filer: c.sub };
}

async function until(handle: Awaited<ReturnType<typeof filed>>['handle'], status: string) {
  for (let i = 0; i < 200; i++) {
    const s = await handle.query(entityStateQuery);
    if (s.status === status && (status === 'checking' || s.pending?.status === 'open')) return s;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`never reached ${status}`);
}

async function complete(a: Awaited<ReturnType<typeof filed>>, taskId: string, outcome: DistributiveOmit<TaskCompletion, 'taskId' | 'by'>) {
  await a.handle.executeUpdate(claimTaskUpdate, { args: [{ taskId, by: 'reviewer' }] });
  const c = personalData('entity-application', a.applicationId, { ...outcome, taskId, by: 'reviewer' } as TaskCompletion);
  await a.handle.executeUpdate(completeTaskUpdate, { args: [c] });
}

it('waits for the written contract of a collective signature, reminding the Chancellery, then contracts', async () => {
  const a = await filed('CHE-222.222.225');
  const powers = await until(a.handle, 'awaiting-powers');
  expect(powers.finding).toBe('collective');
  const powersTask = entityTaskIdFor(a.applicationId, 'entity-powers');
  expect(await suite.db.task.findUniqueOrThrow({ where: { id: powersTask } })).toMatchObject({ kind: 'entity-powers', entityApplicationId: a.applicationId });
  // Nobody acts: reminded every period, escalated once.
  await suite.env.sleep(`${profiles.JU.reminders.taskReminderDays} days`);
  await suite.env.sleep('1 hour');
  expect((await suite.db.task.findUniqueOrThrow({ where: { id: powersTask } })).remindersSent).toBeGreaterThanOrEqual(1);
  await complete(a, powersTask, { outcome: 'approve', justification: 'signature collective à deux inscrite' });

  await until(a.handle, 'awaiting-written-contract');
  const writtenTask = entityTaskIdFor(a.applicationId, 'written-contract');
  // An approval is not how a written contract is recorded.
  await a.handle.executeUpdate(claimTaskUpdate, { args: [{ taskId: writtenTask, by: 'reviewer' }] });
  await expect(
    a.handle.executeUpdate(completeTaskUpdate, {
      args: [
        personalData('entity-application', a.applicationId, { taskId: writtenTask, by: 'reviewer', outcome: 'approve', justification: 'x' } as TaskCompletion),
      ],
    }),
  ).rejects.toMatchObject({ cause: expect.objectContaining({ type: 'CompletionIncomplete' }) });
  await suite.env.sleep('40 days'); // a paper contract can take weeks: the process waits
  await complete(a, writtenTask, { outcome: 'record', justification: 'contrat écrit reçu, deux signatures' });
  const done = await a.handle.result();
  expect(done).toMatchObject({ status: 'approved', entitySub: 'entity:222222225' });
  const entity = await suite.db.legalEntity.findUniqueOrThrow({ where: { uid: 'CHE-222.222.225' }, include: { members: true, contracts: true } });
  expect(entity).toMatchObject({ name: 'Atelier Exemple Sàrl', signingPower: 'collective' });
  expect(entity.members).toEqual([expect.objectContaining({ sub: a.filer, role: 'signatory', status: 'active' })]);
  expect(entity.contracts).toEqual([expect.objectContaining({ status: 'active', userId: null })]);
  expect((await suite.db.task.findUniqueOrThrow({ where: { id: writtenTask } })).outcome).toBe('record');
  await recordHistory('entity-onboarding-collective-approved', a.handle);
});

it('refuses when the Chancellery does not find the powers, and keeps no entity', async () => {
  const a = await filed('CHE-666.666.664');
  expect((await until(a.handle, 'awaiting-powers')).finding).toBe('cancelled');
  await complete(a, entityTaskIdFor(a.applicationId, 'entity-powers'), { outcome: 'refuse', reasons: ["l'entité est en liquidation"] });
  expect(await a.handle.result()).toMatchObject({ status: 'refused', refusalReasons: ["l'entité est en liquidation"] });
  expect(await suite.db.entityApplication.findUniqueOrThrow({ where: { id: a.applicationId } })).toMatchObject({ status: 'refused' });
  expect(await suite.db.legalEntity.count({ where: { uid: 'CHE-666.666.664' } })).toBe(0);
});

it('waits out a commercial register outage: the lookup is retried until it answers', async () => {
  suite.adapters.commercialRegister.setOutage(true);
  const a = await filed('CHE-555.555.557');
  await suite.env.sleep('10 minutes');
  expect((await a.handle.query(entityStateQuery)).status).toBe('checking');
  suite.adapters.commercialRegister.setOutage(false);
  await suite.env.sleep('15 minutes'); // past the next retry (backoff up to 10 minutes)
  expect((await until(a.handle, 'awaiting-powers')).finding).toBe('no-power');
  await suite.env.client.workflow.getHandle(a.handle.workflowId).terminate('test done');
});
