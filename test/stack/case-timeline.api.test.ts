// Case timelines through the API: an onboarding application reviewed by staff, and a decision
// deemed delivered by post, with the féries the remedy period skips.
import request from 'supertest';
import { testPeople } from '../support/applications';
import { signedApplication } from '../support/eid';
import { decisionDeemedDelivered } from '../support/served-decision';
import { startStack, waitFor, type Stack } from '../support/stack';

const { people, fixturePath } = testPeople();
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ fixturePath });
});
afterAll(async () => {
  await stack?.stop();
});
const bearer = (t: string) => ({ Authorization: `Bearer ${t}` });

it("lays out a minor's application: submission, checks, the review task, its claim and the approval, with the audit trail", async () => {
  const citizen = await stack.token({ role: 'citizen', sub: 'timeline-citizen' });
  const staff = await stack.token({ role: 'chancellery', sub: 'timeline-staff' });
  const { applicationId } = (
    await request(stack.app)
      .post('/v1/onboarding/applications')
      .set(bearer(citizen))
      .send(await signedApplication(stack, citizen, people.minor!))
  ).body as {
    applicationId: string;
  };
  const waiting = await waitFor(
    async () =>
      (await request(stack.app).get(`/v1/onboarding/applications/${applicationId}`).set(bearer(citizen))).body as {
        status: string;
        pending: { taskId: string };
      },
    (s) => s.status === 'awaiting-review',
  );
  const taskId = waiting.pending.taskId;

  const open = await request(stack.app).get(`/v1/onboarding/applications/${applicationId}/timeline`).set(bearer(staff));
  expect(open.status).toBe(200);
  expect(open.body.events.map((e: { kind: string }) => e.kind)).toEqual(['submitted', 'checks-done', 'task-opened']);
  expect(open.body.deadlines.map((d: { kind: string; pending: boolean }) => [d.kind, d.pending])).toEqual([
    ['task-due', true],
    ['escalation', true],
  ]);
  expect(open.body.periods).toEqual([expect.objectContaining({ kind: 'task-due' })]);
  // Codes and dates only: nothing of the applicant.
  expect(JSON.stringify(open.body)).not.toContain(people.minor!.avsNumber);
  expect(JSON.stringify(open.body)).not.toContain(people.minor!.firstName);

  await request(stack.app).post(`/v1/tasks/${taskId}/claim`).set(bearer(staff)).expect(200);
  await request(stack.app)
    .post(`/v1/tasks/${taskId}/complete`)
    .set(bearer(staff))
    .send({ outcome: 'approve', justification: 'Apprentie (art. 4.7)' })
    .expect(200);
  const done = await waitFor(
    async () =>
      (await request(stack.app).get(`/v1/onboarding/applications/${applicationId}/timeline`).set(bearer(staff))).body as {
        events: Array<{ kind: string; detail?: string }>;
        deadlines: unknown[];
        history: Array<{ action: string; actorSub: string }>;
      },
    (b) => b.events.some((e) => e.kind === 'approved'),
  );
  expect(done.events.map((e) => e.kind)).toEqual(['submitted', 'checks-done', 'task-opened', 'claimed', 'task-completed', 'approved']);
  expect(done.events.find((e) => e.kind === 'task-completed')!.detail).toBe('approve');
  expect(done.deadlines).toEqual([]);
  expect(done.history).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ action: 'task.claim', actorSub: 'timeline-staff' }),
      expect.objectContaining({ action: 'task.complete.approve', actorSub: 'timeline-staff' }),
    ]),
  );

  expect((await request(stack.app).get(`/v1/onboarding/applications/${applicationId}/timeline`).set(bearer(citizen))).status).toBe(403);
});

it('lays out a decision deemed delivered by post: the remedy period starts after the féries, which are shaded', async () => {
  const d = await decisionDeemedDelivered(stack.db, '2026-12-12');
  const staff = await stack.token({ role: 'chancellery' });
  const res = await request(stack.app).get(`/v1/decisions/${d.id}/timeline`).set(bearer(staff));
  expect(res.status).toBe(200);
  expect(res.body.events.map((e: { kind: string; day: string }) => [e.kind, e.day])).toEqual(
    expect.arrayContaining([
      ['postal-notice-left', '2026-12-12'],
      ['deemed-delivery', d.deemed],
    ]),
  );
  expect(res.body.periods).toEqual([{ kind: 'remedy-period', start: '2027-01-03', end: d.remedy.lastDay, rule: 'opposition; deemed delivery' }]);
  expect(res.body.feries).toEqual(expect.arrayContaining([{ start: '2026-12-18', end: '2027-01-02' }]));
  expect(res.body.holidays).toEqual(expect.arrayContaining(['2026-12-25', '2027-01-01']));

  // The serving unit sees it; another unit does not; a citizen has no case pages.
  expect(
    (
      await request(stack.app)
        .get(`/v1/decisions/${d.id}/timeline`)
        .set(bearer(await stack.token({ role: 'unit', unit: d.unitId, domains: ['population'] })))
    ).status,
  ).toBe(200);
  expect(
    (
      await request(stack.app)
        .get(`/v1/decisions/${d.id}/timeline`)
        .set(bearer(await stack.token({ role: 'unit', unit: 'OTHER', domains: ['population'] })))
    ).status,
  ).toBe(404);
  expect(
    (
      await request(stack.app)
        .get(`/v1/decisions/${d.id}/timeline`)
        .set(bearer(await stack.token({ role: 'citizen' })))
    ).status,
  ).toBe(403);
});
