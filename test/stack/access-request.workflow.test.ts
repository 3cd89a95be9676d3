// The access-request workflow on the time-skipping server: days pass in milliseconds. The unit
// decides in its own inbox (a task reminded every period and escalated once), or by the
// decision route; the older histories (reminders only) replay from their fixtures.
import { randomUUID } from 'node:crypto';
import { profiles } from '../../domain/profiles';
import { accessRequestWorkflowId, decideUpdate, statusQuery } from '../../workflows/access-request/definitions';
import type { AccessRequestInput } from '../../workflows/access-request/types';
import type { accessRequest } from '../../workflows/access-request/workflow';
import { recordHistory } from '../support/histories';
import { startTimeSkippingSuite, type TimeSkippingSuite } from '../support/time-skipping';

let suite: TimeSkippingSuite;
let env: TimeSkippingSuite['env'];
let db: TimeSkippingSuite['db'];
const DAY = 24 * 3600 * 1000;

beforeAll(async () => {
  suite = await startTimeSkippingSuite();
  ({ env, db } = suite);
});
afterAll(async () => {
  await suite?.stop();
});

function input(): AccessRequestInput {
  const requestId = randomUUID();
  return {
    requestId,
    canton: 'JU',
    unitId: 'SPOP',
    service: 'archives',
    citizenSub: `citizen-${requestId}`,
    filedBySub: `citizen-${requestId}`,
    filedByRole: 'citizen',
    applicant: { avsNumber: '756.9217.0769.85', email: 'x@example.ch' },
    requestedAt: new Date().toISOString(),
  };
}

/** Each test on the suite's worker. */
const withWorker = <T>(fn: (taskQueue: string) => Promise<T>): Promise<T> => fn(suite.taskQueue);

describe('access request waiting for the unit', () => {
  it('reminds the unit every period while it waits 10 days, then records its decision', async () => {
    const reminderDays = profiles.JU.reminders.taskReminderDays;
    await withWorker(async (taskQueue) => {
      const args = input();
      const handle = await env.client.workflow.start<typeof accessRequest>('accessRequest', {
        taskQueue,
        workflowId: accessRequestWorkflowId(args.requestId),
        args: [args],
      });
      const before = await env.currentTimeMs();
      const wall = Date.now();

      await env.sleep('10 days');

      const wallMs = Date.now() - wall;
      const status = await handle.query(statusQuery);
      expect((await env.currentTimeMs()) - before).toBeGreaterThanOrEqual(10 * DAY);
      expect(status.state).toBe('awaiting-unit');
      expect(status.remindersSent).toBe(Math.floor(10 / reminderDays));
      // The unit's task in its inbox carries the reminders, and was escalated after a week.
      const task = await db.task.findUniqueOrThrow({ where: { id: status.taskId! } });
      expect(task).toMatchObject({ kind: 'access-request', unitId: 'SPOP', accessRequestId: args.requestId, remindersSent: Math.floor(10 / reminderDays) });
      expect(task.escalatedAt).not.toBeNull();
      // Ten days of waiting took well under the time of a single real minute.
      process.stderr.write(`10 days on the time-skipping server: ${wallMs} ms of wall time\n`);
      expect(wallMs).toBeLessThan(5000);

      const decided = await handle.executeUpdate(decideUpdate, {
        args: [{ outcome: 'refuse', reason: 'Prestation réservée aux entreprises', decidedBySub: 'agent', decidedAt: new Date().toISOString() }],
      });
      expect(decided).toMatchObject({ state: 'refused', decision: { outcome: 'refuse' } });
      expect(await handle.result()).toMatchObject({ state: 'refused', remindersSent: Math.floor(10 / reminderDays) });
      expect(await db.accessRequest.findUniqueOrThrow({ where: { id: args.requestId } })).toMatchObject({
        status: 'refused',
        reason: 'Prestation réservée aux entreprises',
      });
      expect(await db.task.findUniqueOrThrow({ where: { id: status.taskId! } })).toMatchObject({
        status: 'completed',
        outcome: 'refuse',
        completedBy: 'agent',
      });
      await recordHistory('access-request-task-reminded-refused', handle);
    });
  });

  it('sends no reminder when the unit decides within the period', async () => {
    await withWorker(async (taskQueue) => {
      const args = input();
      const handle = await env.client.workflow.start<typeof accessRequest>('accessRequest', {
        taskQueue,
        workflowId: accessRequestWorkflowId(args.requestId),
        args: [args],
      });
      await env.sleep(`${profiles.JU.reminders.taskReminderDays * 24 - 1} hours`);
      await handle.executeUpdate(decideUpdate, { args: [{ outcome: 'grant', decidedBySub: 'agent', decidedAt: new Date().toISOString() }] });
      expect(await handle.result()).toMatchObject({ state: 'granted', remindersSent: 0 });
      await recordHistory('access-request-task-granted', handle);
    });
  });
});
