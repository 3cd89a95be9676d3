// The engine on the production Temporal server (deploy/temporal-server: go.temporal.io/server
// v1.29.1 on PostgreSQL, mTLS, the guichet's authorizer), as a canton runs it. The API and the
// worker connect with their certificates and carry a minor's application to its review; the
// probe of issue 21 — the `temporal` CLI approving it — is refused at every door: without a
// certificate the frontend does not answer, with a certificate of another CA neither, and with
// the operator's own certificate the server refuses to feed the workflow (an operator reads and
// repairs). The operator terminates what needs repairing; the engine may not. A SIGKILL of the
// server loses nothing: after its restart the reviewer approves and the process completes.
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import { ensureTemporalCli } from '../../scripts/lib/provision';
import { ensureClusterPki, type ClusterIdentity, type ClusterPki } from '../../scripts/lib/pki';
import { clientTls } from '../../scripts/lib/pki-client';
import { freePort } from '../../scripts/lib/ports';
import { ensureTemporalServer, startTemporalServer, type RunningTemporalServer } from '../../scripts/lib/temporal-server';
import { onboardingWorkflowId } from '../../workflows/onboarding/definitions';
import { testPeople } from '../support/applications';
import { signedApplication } from '../support/eid';
import { startStack, waitFor, type Stack } from '../support/stack';

const run = promisify(execFile);
const PERMISSION_DENIED = 7; // gRPC
const { people, fixturePath } = testPeople();
let stack: Stack;
let server: RunningTemporalServer;
let pki: ClusterPki;
let strangerPki: ClusterPki;
let cli: string;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'guichet-temporal-server-'));
  const bin = process.env.TEST_TEMPORAL_SERVER_BIN ?? (await ensureTemporalServer());
  [pki, strangerPki, cli] = await Promise.all([ensureClusterPki(join(dir, 'pki')), ensureClusterPki(join(dir, 'stranger-pki')), ensureTemporalCli()]);
  const db = new URL(process.env.TEST_DATABASE_URL!);
  server = await startTemporalServer({
    bin,
    dir: join(dir, 'temporal'),
    pki,
    postgres: { host: db.hostname, port: Number(db.port), user: decodeURIComponent(db.username), password: decodeURIComponent(db.password) },
    databases: { main: 'temporal_suite', visibility: 'temporal_suite_visibility' },
    frontendPort: await freePort(),
    log: () => undefined,
  });
  stack = await startStack({
    fixturePath,
    temporal: { address: server.address, tls: { api: clientTls(pki, 'guichet-api'), worker: clientTls(pki, 'guichet-worker') } },
  });
}, 240_000);
afterAll(async () => {
  await stack?.stop();
  await server?.stop();
});
const bearer = (t: string) => ({ Authorization: `Bearer ${t}` });

/** The `temporal` CLI at the production frontend, as `who` (a certificate of `of`), or with none. */
async function temporal(who: { id: ClusterIdentity; of: ClusterPki } | null, ...args: string[]): Promise<{ ok: boolean; out: string }> {
  const tls = who
    ? [
        '--tls-ca-path',
        pki.caFile,
        '--tls-server-name',
        pki.serverName,
        '--tls-cert-path',
        who.of.files(who.id).cert,
        '--tls-key-path',
        who.of.files(who.id).key,
      ]
    : [];
  try {
    const { stdout, stderr } = await run(cli, [...args, '--address', server.address, '--namespace', 'default', ...tls, '--command-timeout', '10s'], {
      timeout: 30_000,
    });
    return { ok: true, out: stdout + stderr };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    return { ok: false, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

it('the API and the worker run a process on it by their certificates; the CLI cannot feed it, with no certificate, another CA or the operator one', async () => {
  const token = await stack.token({ role: 'citizen', sub: 'prod-server-minor' });
  const filed = await request(stack.app)
    .post('/v1/onboarding/applications')
    .set(bearer(token))
    .send(await signedApplication(stack, token, people.minor!));
  expect(filed.status).toBe(202);
  const { applicationId } = filed.body as { applicationId: string };
  const statusOf = async () =>
    (await request(stack.app).get(`/v1/onboarding/applications/${applicationId}`).set(bearer(token))).body as {
      status: string;
      pending: { taskId: string } | null;
    };
  const waiting = await waitFor(statusOf, (s) => s.status === 'awaiting-review', 30_000);
  const taskId = waiting.pending!.taskId;
  const workflowId = onboardingWorkflowId(applicationId);
  const approveByCli = (who: Parameters<typeof temporal>[0]) =>
    temporal(who, 'workflow', 'update', 'execute', '--workflow-id', workflowId, '--name', 'claimTask', '--input', JSON.stringify({ taskId, by: 'mallory' }));

  const bare = await approveByCli(null);
  expect(bare.ok).toBe(false);
  expect(bare.out).toMatch(/failed reaching server/); // the frontend takes mTLS clients only: no handshake, no call
  const stranger = await approveByCli({ id: 'guichet-api', of: strangerPki }); // the engine's name, another CA
  expect(stranger.ok).toBe(false);
  // The handshake fails ("unknown certificate authority", or the pipe it was writing to breaks).
  expect(stranger.out).toMatch(/failed reaching server: .*(unknown certificate authority|broken pipe|connection reset)/);
  const operator = await approveByCli({ id: 'operator', of: pki });
  expect(operator.ok).toBe(false);
  expect(operator.out).toMatch(/unable to update workflow: Request unauthorized/); // the authorizer, not the worker
  const signal = await temporal({ id: 'operator', of: pki }, 'workflow', 'signal', '--workflow-id', workflowId, '--name', 'withdraw', '--input', '{}');
  expect(signal.ok).toBe(false);
  expect(signal.out).toMatch(/Request unauthorized/);
  // The operator reads: the workflow, its state, no personal data in clear.
  const described = await temporal({ id: 'operator', of: pki }, 'workflow', 'describe', '--workflow-id', workflowId, '--output', 'json');
  expect(described.ok).toBe(true);
  expect(described.out).toContain('"status": "WORKFLOW_EXECUTION_STATUS_RUNNING"');
  expect(described.out).not.toContain(people.minor!.lastName);
  expect(await statusOf()).toMatchObject({ status: 'awaiting-review' });

  // The server dies (SIGKILL) and comes back on the same database: nothing is lost.
  await server.stop('SIGKILL');
  server = await server.restart();
  const reviewer = await stack.token({ role: 'chancellery', sub: 'reviewer-prod-server' });
  const claimed = await waitFor(
    async () => (await request(stack.app).post(`/v1/tasks/${taskId}/claim`).set(bearer(reviewer))).status,
    (status) => status === 200,
    30_000,
  );
  expect(claimed).toBe(200);
  const approved = await request(stack.app)
    .post(`/v1/tasks/${taskId}/complete`)
    .set(bearer(reviewer))
    .send({ outcome: 'approve', justification: 'parents agree' });
  expect(approved.status).toBe(200);
  await waitFor(statusOf, (s) => s.status === 'approved', 30_000);
  const audit = await stack.db.auditLog.findMany({ where: { workflowId } });
  expect(audit.map((a) => a.actorSub)).toContain('reviewer-prod-server');
  expect(audit.map((a) => a.actorSub)).not.toContain('mallory');
  expect(await stack.db.registeredUser.count({ where: { applicationId } })).toBe(1);
}, 120_000);

it('an operator repairs (terminates) a workflow; the engine may not', async () => {
  const workflowId = `repair-probe-${Date.now()}`;
  // A workflow type no worker serves: it waits for a worker forever, as a stuck case would.
  await stack.client.workflow.start('no-such-process', { taskQueue: `nobody-${Date.now()}`, workflowId, args: [] });
  const refused = await stack.client.workflow
    .getHandle(workflowId)
    .terminate('the engine tries')
    .catch((err: { cause?: { code?: number; details?: string } }) => err.cause);
  expect(refused).toMatchObject({ code: PERMISSION_DENIED, details: expect.stringMatching(/unauthorized/i) });
  const terminated = await temporal({ id: 'operator', of: pki }, 'workflow', 'terminate', '--workflow-id', workflowId, '--reason', 'operator repair');
  expect(terminated.ok).toBe(true);
  expect((await stack.client.workflow.getHandle(workflowId).describe()).status.name).toBe('TERMINATED');
});
