// The formalDecision process on the time-skipping server: the authority's task is reminded and
// escalated while nobody decides (no period ends the request: the ordinance sets none), and
// its decision is issued and served. Its history is kept as a replay fixture.
import { randomUUID } from 'node:crypto';
import { profiles } from '../../domain/profiles';
import { decisionServiceWorkflowId, serviceStateQuery } from '../../workflows/decision-service/definitions';
import { formalDecisionStateQuery, formalDecisionTaskId, formalDecisionWorkflowId } from '../../workflows/formal-decision/definitions';
import type { formalDecision } from '../../workflows/formal-decision/workflow';
import { claimTaskUpdate, completeTaskUpdate } from '../../workflows/task/definitions';
import { insertApplication, testPeople } from '../support/applications';
import { recordHistory } from '../support/histories';
import { pdfText } from '../support/pdf';
import { startTimeSkippingSuite, type TimeSkippingSuite } from '../support/time-skipping';

const JU = profiles.JU;
const { people, fixturePath } = testPeople();
let suite: TimeSkippingSuite;

beforeAll(async () => {
  suite = await startTimeSkippingSuite({ fixturePath });
});
afterAll(async () => {
  await suite?.stop();
});

async function waitUntil<T>(probe: () => Promise<T>, done: (v: T) => boolean): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const v = await probe();
    if (done(v)) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('not reached');
}

async function requested(db: TimeSkippingSuite['db'], applicationId: string): Promise<string> {
  const a = await db.onboardingApplication.update({ where: { id: applicationId }, data: { status: 'refused', refusalReasons: ['Domicile hors du canton'] } });
  const requestId = randomUUID();
  await db.formalDecisionRequest.create({
    data: {
      id: requestId,
      ground: 'onboarding-refused',
      actRef: `onboarding-application:${applicationId}`,
      canton: 'JU',
      personSub: a.applicantSub,
      recordType: 'onboarding-application',
      recordId: applicationId,
      unitId: 'CHA',
      requestedBy: a.applicantSub,
      requestedAt: new Date(),
      status: 'requested',
    },
  });
  return requestId;
}

/** Starts the process and waits until its task is in the Chancellery's inbox. */
async function startedAndWaiting(requestId: string, applicationId: string) {
  const handle = await suite.env.client.workflow.start<typeof formalDecision>('formalDecision', {
    taskQueue: suite.taskQueue,
    workflowId: formalDecisionWorkflowId(requestId),
    args: [{ requestId, ground: 'onboarding-refused', canton: 'JU', unitId: 'CHA', recordId: applicationId }],
  });
  await waitUntil(
    () => handle.query(formalDecisionStateQuery),
    (s) => s.status === 'awaiting-authority',
  );
  return { handle, taskId: formalDecisionTaskId(requestId) };
}

it('a formal decision that grants the application admits the applicant: register entry, contract, confirmation e-mail', async () => {
  const { db, adapters } = suite;
  const applicationId = await insertApplication(db, people.nonResident!, { email: 'admitted-by-decision@example.ch' });
  const requestId = await requested(db, applicationId);
  const { handle, taskId } = await startedAndWaiting(requestId, applicationId);
  await handle.executeUpdate(claimTaskUpdate, { args: [{ taskId, by: 'jurist' }] });
  await handle.executeUpdate(completeTaskUpdate, {
    args: [{ taskId, by: 'jurist', outcome: 'approve', justification: 'Séjour hebdomadaire attesté à Delémont.' }],
  });
  expect(await handle.result()).toMatchObject({ status: 'decided', outcome: 'approve' });
  expect(await db.contract.findUniqueOrThrow({ where: { applicationId } })).toMatchObject({
    status: 'active',
    specialReason: 'Séjour hebdomadaire attesté à Delémont.',
  });
  expect((await db.onboardingApplication.findUniqueOrThrow({ where: { id: applicationId } })).status).toBe('approved');
  await adapters.mail.waitFor((m) => m.to.includes('admitted-by-decision@example.ch') && m.text.includes('contrat'));
});

it('waits for the Chancellery as long as it takes, reminding it; the refusal it confirms is a PDF with reasons and remedies, served by post', async () => {
  const { env, db, adapters } = suite;
  const applicationId = await insertApplication(db, people.nonResident!);
  const requestId = await requested(db, applicationId);
  const { handle, taskId } = await startedAndWaiting(requestId, applicationId);
  expect(await db.task.findUniqueOrThrow({ where: { id: taskId } })).toMatchObject({
    kind: 'formal-decision',
    applicationId,
    unitId: null,
    formalRequestId: requestId,
  });

  // Nobody decides for weeks: reminded, escalated once, still waiting.
  await env.sleep(`${JU.reminders.taskEscalationDays + 30} days`);
  expect(await handle.query(formalDecisionStateQuery)).toMatchObject({ status: 'awaiting-authority' });
  const task = await db.task.findUniqueOrThrow({ where: { id: taskId } });
  expect(task.remindersSent).toBeGreaterThan(1);
  expect(task.escalatedAt).not.toBeNull();

  await handle.executeUpdate(claimTaskUpdate, { args: [{ taskId, by: 'jurist' }] });
  await handle.executeUpdate(completeTaskUpdate, {
    args: [{ taskId, by: 'jurist', outcome: 'refuse', reasons: ['Pas de domicile dans le canton du Jura (art. 4 al. 5 let. a).'] }],
  });
  const done = await handle.result();
  expect(done).toMatchObject({ status: 'decided', outcome: 'refuse', decisionId: `fd-${requestId}` });
  expect(await db.formalDecisionRequest.findUniqueOrThrow({ where: { id: requestId } })).toMatchObject({
    status: 'decided',
    outcome: 'refuse',
    decisionId: done.decisionId,
  });
  await recordHistory('formal-decision-onboarding-refused', handle);

  const service = env.client.workflow.getHandle(decisionServiceWorkflowId(done.decisionId!));
  await waitUntil(
    () => service.query(serviceStateQuery),
    (s) => s.state === 'awaiting-postal-delivery',
  );
  const text = (await pdfText(adapters.post.pdfOf(done.decisionId!)!)).text.replace(/\s+/g, ' ');
  expect(text).toContain("1. L'accès au guichet virtuel sécurisé est refusé.");
  expect(text).toContain('Pas de domicile dans le canton du Jura');
  expect(text).toContain('Opposition dans les 30 jours');
});
