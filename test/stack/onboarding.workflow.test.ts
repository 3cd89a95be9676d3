// Every branch of contract onboarding on the time-skipping server: days and months pass in
// milliseconds, against real PostgreSQL, the fake registers over HTTP and a real SMTP server.
import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { addDays, endOfLocalDay, localDay } from '../../domain/days';
import { profiles } from '../../domain/profiles';
import {
  authorityAnswerUpdate,
  claimTaskUpdate,
  completeTaskUpdate,
  onboardingWorkflowId,
  releaseTaskUpdate,
  stateQuery,
  taskIdFor,
} from '../../workflows/onboarding/definitions';
import type { OnboardingState } from '../../workflows/onboarding/types';
import type { onboarding } from '../../workflows/onboarding/workflow';
import { insertApplication, testPeople, type RegisterEntry } from '../support/applications';
import { recordHistory } from '../support/histories';
import { STAFF_INBOX } from '../support/stack';
import { rejection } from '../support/updates';
import { startTimeSkippingSuite, type TimeSkippingSuite } from '../support/time-skipping';

const JU = profiles.JU;
// Turns 18 tomorrow (Europe/Zurich), as seen when this file starts: the boundary test runs
// first, before other tests move the time-skipping server's clock forward.
const today0 = localDay(new Date(), JU.timeZone);
const tomorrow0 = addDays(today0, 1);
const turningBirthDate = `${Number(tomorrow0.slice(0, 4)) - 18}${tomorrow0.slice(4)}`;
const { people, fixturePath } = testPeople({ turning: { birthDate: turningBirthDate }, outage: {} });

let suite: TimeSkippingSuite;
let env: TimeSkippingSuite['env'];
let db: TimeSkippingSuite['db'];
let adapters: TimeSkippingSuite['adapters'];
let taskQueue: string;

beforeAll(async () => {
  suite = await startTimeSkippingSuite({ fixturePath });
  ({ env, db, adapters, taskQueue } = suite);
});
afterAll(async () => {
  await suite?.stop();
});

async function apply(person: RegisterEntry): Promise<{ id: string; handle: WorkflowHandle<typeof onboarding>; email: string }> {
  const email = `${randomUUID().slice(0, 8)}@example.ch`;
  const id = await insertApplication(db, person, { email });
  const handle = await env.client.workflow.start<typeof onboarding>('onboarding', {
    taskQueue,
    workflowId: onboardingWorkflowId(id),
    args: [{ applicationId: id, canton: 'JU', commune: person.commune }],
  });
  return { id, handle, email };
}

/** Lets the workflow run until `done` holds (time skips while it waits on timers). */
async function until(handle: WorkflowHandle, done: (s: OnboardingState) => boolean): Promise<OnboardingState> {
  for (let i = 0; i < 200; i++) {
    const s = await handle.query(stateQuery);
    if (done(s)) return s;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`state not reached: ${JSON.stringify(await handle.query(stateQuery))}`);
}

const mailsTo = (email: string) => adapters.mail.messages.filter((m) => m.to.includes(email));

describe('the 18th birthday (Art. 4.5 b), in Europe/Zurich', () => {
  it('is a minor until local midnight before the 18th birthday, of age from that instant', async () => {
    const today = localDay(new Date(await env.currentTimeMs()), JU.timeZone);
    // 29 February has no birthday in most years; and the file must have started today.
    if (turningBirthDate.endsWith('02-29') || today !== today0) return;
    const midnight = endOfLocalDay(today, JU.timeZone).getTime();

    // A minute before midnight: the check runs after the register lookup, which takes real
    // time on a loaded machine (the server's clock runs on meanwhile).
    await env.sleep(Math.max(0, midnight - 60_000 - (await env.currentTimeMs())));
    const before = await apply(people.turning!);
    expect((await until(before.handle, (x) => x.status !== 'checking')).checks).toMatchObject({ adult: false });

    await env.sleep(Math.max(0, midnight - (await env.currentTimeMs())));
    const after = await apply(people.turning!);
    expect((await after.handle.result()).checks).toMatchObject({ adult: true });
  });
});

describe('onboarding', () => {
  it('admits an adult resident at once: user register, contract with its evidence, one confirmation e-mail', async () => {
    const { id, handle, email } = await apply(people.adult!);
    expect(await handle.result()).toMatchObject({ status: 'approved', pending: null, checks: { domiciled: true, adult: true, noProtectionMeasure: true } });

    const user = await db.registeredUser.findUniqueOrThrow({ where: { applicationId: id } });
    expect(user).toMatchObject({ avsNumber: people.adult!.avsNumber, commune: 'Delémont', canton: 'JU' });
    const contract = await db.contract.findUniqueOrThrow({ where: { applicationId: id } });
    expect(contract).toMatchObject({ status: 'active', termsVersion: 'CG-2013-1', specialReason: null });
    expect(contract.documentSha256).toMatch(/^[0-9a-f]{64}$/);
    await adapters.mail.waitFor((m) => m.to.includes(email));
    expect(mailsTo(email)).toHaveLength(1);
    expect(mailsTo(email)[0]!.text).toMatch(/contrat/i);
    expect(await db.openApplication.count({ where: { applicationId: id } })).toBe(0);
    await recordHistory('onboarding-admitted', handle);
  });

  it('sends a minor to review, reminds every period, escalates once, and admits on an approval with a justification', async () => {
    const { id, handle } = await apply(people.minor!);
    const s = await until(handle, (x) => x.status === 'awaiting-review');
    expect(s.pending).toMatchObject({ kind: 'review', status: 'open', claimedBy: null, remindersSent: 0 });
    const taskId = taskIdFor(id, 'review');
    expect(await db.task.findUniqueOrThrow({ where: { id: taskId } })).toMatchObject({ status: 'open', subject: expect.stringContaining('mineure') });

    await env.sleep(`${JU.reminders.taskEscalationDays * 24 + 1} hours`);
    const waited = await handle.query(stateQuery);
    expect(waited.pending).toMatchObject({ remindersSent: Math.floor(JU.reminders.taskEscalationDays / JU.reminders.taskReminderDays), escalated: true });
    expect(await db.task.findUniqueOrThrow({ where: { id: taskId } })).toMatchObject({ remindersSent: 2, escalatedAt: expect.any(Date) });
    // The Chancellery heard of it: two reminders and one escalation, by e-mail, ids only.
    const staffMail = adapters.mail.messages.filter((m) => m.to.includes(STAFF_INBOX) && m.text.includes(taskId));
    expect(staffMail.map((m) => m.subject.split(' ')[0]).sort()).toEqual(['Escalade', 'Rappel', 'Rappel']);
    expect(staffMail.some((m) => m.text.includes(people.minor!.avsNumber) || m.text.includes(people.minor!.firstName))).toBe(false);

    // Completing needs a claim, by the same person.
    expect(await rejection(handle.executeUpdate(completeTaskUpdate, { args: [{ taskId, by: 'staff-a', outcome: 'approve', justification: 'x' }] }))).toBe(
      'TaskNotClaimedByCaller',
    );
    await handle.executeUpdate(claimTaskUpdate, { args: [{ taskId, by: 'staff-a' }] });
    expect(await rejection(handle.executeUpdate(claimTaskUpdate, { args: [{ taskId, by: 'staff-b' }] }))).toBe('TaskClaimedByOther');
    expect(await rejection(handle.executeUpdate(completeTaskUpdate, { args: [{ taskId, by: 'staff-a', outcome: 'approve', justification: '  ' }] }))).toBe(
      'CompletionIncomplete',
    );

    const done = await handle.executeUpdate(completeTaskUpdate, {
      args: [{ taskId, by: 'staff-a', outcome: 'approve', justification: 'Apprentissage dans une unité cantonale (art. 4 al. 7)' }],
    });
    expect(done.status).toBe('approved');
    // The process has ended: a second completion finds nothing to complete.
    await expect(handle.executeUpdate(completeTaskUpdate, { args: [{ taskId, by: 'staff-a', outcome: 'approve', justification: 'again' }] })).rejects.toThrow();
    expect(await db.contract.findUniqueOrThrow({ where: { applicationId: id } })).toMatchObject({
      specialReason: 'Apprentissage dans une unité cantonale (art. 4 al. 7)',
    });
    expect(await db.task.findUniqueOrThrow({ where: { id: taskId } })).toMatchObject({ status: 'completed', outcome: 'approve', completedBy: 'staff-a' });
    await recordHistory('onboarding-review-approved', handle);
  });

  it('lets a claim be released and taken by a colleague', async () => {
    const { id, handle } = await apply(people.nonResident!);
    await until(handle, (x) => x.status === 'awaiting-review');
    const taskId = taskIdFor(id, 'review');
    await handle.executeUpdate(claimTaskUpdate, { args: [{ taskId, by: 'staff-a' }] });
    expect(await rejection(handle.executeUpdate(releaseTaskUpdate, { args: [{ taskId, by: 'staff-b' }] }))).toBe('TaskNotClaimedByCaller');
    await handle.executeUpdate(releaseTaskUpdate, { args: [{ taskId, by: 'staff-a' }] });
    expect((await db.task.findUniqueOrThrow({ where: { id: taskId } })).claimedBy).toBeNull();
    const s = await handle.executeUpdate(claimTaskUpdate, { args: [{ taskId, by: 'staff-b' }] });
    expect(s.pending?.claimedBy).toBe('staff-b');

    // Refused: brief reasons by e-mail and the right to a formal decision, with no period (the ordinance sets none).
    const refused = await handle.executeUpdate(completeTaskUpdate, {
      args: [{ taskId, by: 'staff-b', outcome: 'refuse', reasons: ['Domicile hors du canton du Jura'] }],
    });
    expect(refused).toMatchObject({ status: 'refused', refusalReasons: ['Domicile hors du canton du Jura'] });
    expect(refused.formalDecisionDeadline).toBeUndefined();
    const mail = await adapters.mail.waitFor((m) => m.subject.toLowerCase().includes('refus') && m.text.includes('Domicile hors du canton du Jura'));
    expect(mail.text).toContain('vous pouvez demander une décision formelle');
    expect(mail.text).not.toContain('au plus tard');

    // The process ends: a request for a formal decision starts its own (formalDecision).
    expect(await handle.result()).toMatchObject({ status: 'refused' });
    expect(await db.openApplication.count({ where: { applicationId: id } })).toBe(0);
  });

  it('asks the protection authority first; a denied capacity refuses with that reason', async () => {
    const { handle } = await apply(people.protectedAdult!);
    const s = await until(handle, (x) => x.status === 'awaiting-authority');
    expect(s.pending).toMatchObject({ kind: 'authority-inquiry' });
    const denied = await handle.executeUpdate(authorityAnswerUpdate, { args: [{ hasCivilCapacity: false, by: 'apea-1' }] });
    expect(denied.status).toBe('refused');
    expect(denied.refusalReasons![0]).toContain('capacité civile');
  });

  it('admits after the authority confirms capacity when (a) and (b) are met; a minor then still goes to review', async () => {
    const adult = await apply(people.protectedAdult!);
    await until(adult.handle, (x) => x.status === 'awaiting-authority');
    expect((await adult.handle.executeUpdate(authorityAnswerUpdate, { args: [{ hasCivilCapacity: true, by: 'apea-1' }] })).status).toBe('approved');

    const minor = await apply(people.protectedMinor!);
    await until(minor.handle, (x) => x.status === 'awaiting-authority');
    expect((await minor.handle.executeUpdate(authorityAnswerUpdate, { args: [{ hasCivilCapacity: true, by: 'apea-1' }] })).status).toBe('awaiting-review');
    expect(await rejection(minor.handle.executeUpdate(authorityAnswerUpdate, { args: [{ hasCivilCapacity: true, by: 'apea-1' }] }))).toBe('NotWaitingForThis');
  });

  it('waits through a register outage and resumes, nothing lost', async () => {
    adapters.registers.setOutage(true);
    try {
      const { id, handle, email } = await apply(people.outage!);
      await env.sleep('3 hours'); // retries back off; the application stays in "checking"
      expect((await handle.query(stateQuery)).status).toBe('checking');
      expect(adapters.registers.requests().resident).toBeGreaterThan(1);
      adapters.registers.setOutage(false);
      await env.sleep('15 minutes'); // the next retry finds the register up
      expect(await handle.result()).toMatchObject({ status: 'approved' });
      expect(await db.registeredUser.count({ where: { applicationId: id } })).toBe(1);
      await adapters.mail.waitFor((m) => m.to.includes(email));
      expect(mailsTo(email)).toHaveLength(1);
    } finally {
      adapters.registers.setOutage(false);
    }
  });
});
