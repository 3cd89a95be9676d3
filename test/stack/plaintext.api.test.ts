// Nobody without the payload key feeds a workflow. The probe of issue 21, as an attacker
// runs it: the real `temporal` CLI, no codec, straight at the frontend, tries to approve a
// minor's application waiting for review in the name of a reviewer of its choosing, to slip
// new terms into a contract, and to start a process of its own. The worker refuses each
// (workflows/interceptors.ts), the workflows go on, and the reviewer still decides.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import request from 'supertest';
import { ensureTemporalCli } from '../../scripts/lib/provision';
import { contractWorkflowId } from '../../workflows/contract/definitions';
import { onboardingWorkflowId } from '../../workflows/onboarding/definitions';
import { testPeople } from '../support/applications';
import { signedApplication } from '../support/eid';
import { startStack, waitFor, type Stack } from '../support/stack';

const run = promisify(execFile);
const { people, fixturePath } = testPeople();
let stack: Stack;
let cli: string;
beforeAll(async () => {
  stack = await startStack({ fixturePath });
  cli = await ensureTemporalCli();
});
afterAll(async () => {
  await stack?.stop();
});
const bearer = (t: string) => ({ Authorization: `Bearer ${t}` });

/** The `temporal` CLI against the test server, as anyone who reaches its port can run it. */
async function temporal(...args: string[]): Promise<{ ok: boolean; out: string }> {
  try {
    const { stdout, stderr } = await run(cli, [...args, '--address', process.env.TEST_TEMPORAL_ADDRESS!, '--namespace', 'default'], { timeout: 30_000 });
    return { ok: true, out: stdout + stderr };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    return { ok: false, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

async function historyEvents(workflowId: string): Promise<string[]> {
  const history = await stack.client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).map((e) => Object.keys(e).find((k) => k.endsWith('EventAttributes')) ?? '?');
}

describe('a client without the payload key', () => {
  it('cannot claim or complete a review, slip terms into a contract, or start a process: the worker refuses what it did not encrypt', async () => {
    const token = await stack.token({ role: 'citizen', sub: 'plain-minor' });
    const filed = await request(stack.app)
      .post('/v1/onboarding/applications')
      .set(bearer(token))
      .send(await signedApplication(stack, token, people.minor!));
    expect(filed.status).toBe(202);
    const { applicationId } = filed.body as { applicationId: string };
    const statusOf = async () =>
      (await request(stack.app).get(`/v1/onboarding/applications/${applicationId}`).set(bearer(token))).body as {
        status: string;
        pending: { taskId: string; claimedBy?: string | null } | null;
      };
    const waiting = await waitFor(statusOf, (s) => s.status === 'awaiting-review');
    const taskId = waiting.pending!.taskId;
    const workflowId = onboardingWorkflowId(applicationId);

    // The update the CLI sends in clear is rejected before it is accepted: nothing in the history.
    const cliUpdate = (name: string, input: object) =>
      temporal('workflow', 'update', 'execute', '--workflow-id', workflowId, '--name', name, '--input', JSON.stringify(input));
    const claim = await cliUpdate('claimTask', { taskId, by: 'mallory' });
    expect(claim.ok).toBe(false);
    expect(claim.out).toMatch(/PlaintextRefused/); // its message is encrypted too (infra/failure-converter.ts)
    const complete = await cliUpdate('completeTask', { taskId, by: 'mallory', outcome: 'approve', justification: 'approved by the CLI' });
    expect(complete.ok).toBe(false);
    expect(complete.out).toMatch(/PlaintextRefused/);
    const afterProbe = await historyEvents(workflowId);
    expect(afterProbe).not.toContain('workflowExecutionUpdateAcceptedEventAttributes');
    expect(afterProbe).not.toContain('workflowTaskFailedEventAttributes');
    expect(await statusOf()).toMatchObject({ status: 'awaiting-review' });

    // The reviewer, through the API, still claims and approves it.
    const reviewer = await stack.token({ role: 'chancellery', sub: 'reviewer-plain' });
    expect((await request(stack.app).post(`/v1/tasks/${taskId}/claim`).set(bearer(reviewer))).status).toBe(200);
    const approved = await request(stack.app)
      .post(`/v1/tasks/${taskId}/complete`)
      .set(bearer(reviewer))
      .send({ outcome: 'approve', justification: 'parents agree' });
    expect(approved.status).toBe(200);
    await waitFor(statusOf, (s) => s.status === 'approved');
    const audit = await stack.db.auditLog.findMany({ where: { workflowId } });
    expect(audit.map((a) => a.actorSub)).not.toContain('mallory');
    expect(audit.map((a) => a.actorSub)).toContain('reviewer-plain');

    // A plaintext signal is dropped: the contract has no pending terms and its task did not fail.
    const contract = await stack.db.contract.findUniqueOrThrow({ where: { applicationId } });
    const contractWf = contractWorkflowId(contract.id);
    const signal = await temporal(
      'workflow',
      'signal',
      '--workflow-id',
      contractWf,
      '--name',
      'termsPublished',
      '--input',
      JSON.stringify({ version: '9999-01', publishedOn: '2026-12-01', effectiveOn: '2027-01-01', documentSha256: '0'.repeat(64) }),
    );
    expect(signal.ok).toBe(true); // the server takes it; the worker does not act on it
    await waitFor(
      () => historyEvents(contractWf),
      (events) => events.lastIndexOf('workflowTaskCompletedEventAttributes') > events.lastIndexOf('workflowExecutionSignaledEventAttributes'),
    );
    expect(await historyEvents(contractWf)).not.toContain('workflowTaskFailedEventAttributes');
    // (Other suites publish real terms to every contract of the shared database: not these.)
    const terms = (await request(stack.app).get('/v1/me/contract').set(bearer(token))).body as { pendingTerms: { version: string } | null };
    expect(terms.pendingTerms?.version).not.toBe('9999-01');

    // A process started in clear ends failed at once, without running an activity.
    const forgedId = `onboarding/forged-${Date.now()}`;
    const started = await temporal(
      'workflow',
      'start',
      '--type',
      'onboarding',
      '--task-queue',
      stack.taskQueue,
      '--workflow-id',
      forgedId,
      '--input',
      JSON.stringify({ applicationId: 'forged', canton: 'JU' }),
    );
    expect(started.ok).toBe(true);
    await expect(stack.client.workflow.getHandle(forgedId).result()).rejects.toMatchObject({ cause: { type: 'PlaintextRefused' } });
    expect(await historyEvents(forgedId)).not.toContain('activityTaskScheduledEventAttributes');
  });
});
