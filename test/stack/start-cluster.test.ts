// `npm run start:cluster`, as the README walks through it: the production Temporal server on
// the embedded PostgreSQL behind mTLS, 2 workers and 2 API replicas behind HAProxy on the API's
// port. The onboarding walk-through goes through the entry point; the Web UI signs in operators
// only, at the identity provider; the operator's CLI line it prints reads the workflows, and the
// same CLI without a certificate reaches nothing. A kill -9
// of one API replica and of one worker in the middle of an application loses nothing: the
// supervisor starts them again, the entry point sends requests to the living replica, and the
// minor's application reaches its review. Ctrl-C stops it all.
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ensureTemporalCli } from '../../scripts/lib/provision';
import { freePort } from '../../scripts/lib/ports';
import { DEMO_PASSWORD } from '../../infra/identity-provider/accounts';
import { launchBrowser, openTab, screenshot } from '../support/browser';
import { npmStartEnv, startNpm, stopNpm, stopNpmAnyway } from '../support/npm-start';

const root = join(__dirname, '..', '..');
const dataDir = mkdtempSync(join(tmpdir(), 'guichet-cluster-'));
chmodSync(dataDir, 0o755);
let env: NodeJS.ProcessEnv;
const runCli = promisify(execFile);

const token = (role: string, sub: string) =>
  execFileSync(process.execPath, ['--import', 'tsx', 'scripts/token.ts', '--role', role, '--sub', sub], { cwd: root, env }).toString().trim();
const cli = (script: string, ...args: string[]) =>
  execFileSync(process.execPath, ['--import', 'tsx', script, ...args], { cwd: root, env })
    .toString()
    .trim();

beforeAll(async () => {
  const apiPorts = [await freePort(), await freePort()];
  env = await npmStartEnv(dataDir, { CLUSTER_API_PORTS: apiPorts.join(',') });
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** The pid of a part, from the record the launcher keeps for the next start (its latest start). */
const pidOf = (name: string) => {
  const record = JSON.parse(readFileSync(join(dataDir, 'run', 'npm-start.json'), 'utf8')) as { children: { name: string; pid: number }[] };
  return record.children.filter((c) => c.name === name).at(-1)!.pid;
};

it('serves the walk-through through the entry point on the production server; a kill -9 of an API and a worker loses nothing', async () => {
  const api = `http://127.0.0.1:${env.PORT}`;
  const first = await startNpm(env, { args: ['--cluster'] });
  try {
    const out = first.output();
    expect(out).toContain('Guichet engine is running (cluster)');
    expect(out).toContain(`Entry point (HAProxy) ...... ${api}  → APIs 127.0.0.1:${env.CLUSTER_API_PORTS!.split(',')[0]}`);
    expect(out).toContain(`Temporal server (mTLS) ..... 127.0.0.1:${env.TEMPORAL_PORT}`);
    expect((await fetch(`${api}/readyz`)).status).toBe(200);

    const post = (path: string, bearer: string, body?: unknown) =>
      fetch(`${api}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    const until = async (path: string, bearer: string, status: string) => {
      for (let i = 0; i < 600; i++) {
        const res = await fetch(`${api}${path}`, { headers: { authorization: `Bearer ${bearer}` } });
        const body = (res.ok ? await res.json() : {}) as { status?: string; pending?: { taskId: string } };
        if (body.status === status) return body;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`${path} never reached ${status}`);
    };
    const application = async (sub: string, demoFile: string, bearer: string) => {
      const started = (await (await post('/v1/identity-verifications', bearer)).json()) as { verificationId: string; deeplink: string };
      expect(cli('scripts/wallet.ts', '--as', sub, started.deeplink)).toBe('presented: HTTP 200');
      const proof = await (
        await fetch(`${api}/v1/identity-verifications/${started.verificationId}?wait=10`, { headers: { authorization: `Bearer ${bearer}` } })
      ).json();
      expect(proof).toMatchObject({ status: 'verified' });
      const body = JSON.parse(readFileSync(join(root, demoFile), 'utf8')) as { identityVerificationId: string; contractSignature: object };
      body.identityVerificationId = started.verificationId;
      const terms = join(dataDir, `${sub}.txt`);
      writeFileSync(
        terms,
        Buffer.from(await (await fetch(`${api}/v1/terms-versions/CG-2013-1/document`, { headers: { authorization: `Bearer ${bearer}` } })).arrayBuffer()),
      );
      Object.assign(body.contractSignature, JSON.parse(cli('scripts/sign.ts', '--as', sub, terms)));
      return body;
    };

    const adele = token('citizen', 'demo-adele');
    const adult = await post('/v1/onboarding/applications', adele, await application('demo-adele', 'scripts/demo/application-adult.json', adele));
    expect(adult.status).toBe(202);
    const adultId = ((await adult.json()) as { applicationId: string }).applicationId;
    await until(`/v1/onboarding/applications/${adultId}`, adele, 'approved');

    // The Web UI: operators only, signed in at the identity provider; a citizen's account is refused.
    const uiUrl = `http://127.0.0.1:${env.TEMPORAL_UI_PORT}`;
    expect(out).toContain(`Temporal Web UI ............ ${uiUrl}  (operators only`);
    const browser = await launchBrowser();
    try {
      const signInAt = async (login: string) => {
        const { page } = await openTab(browser);
        await page.goto(`${uiUrl}/auth/sso?returnUrl=${encodeURIComponent('/namespaces/default/workflows')}`);
        await page.locator('input[name="login"]').fill(login);
        await page.locator('input[name="password"]').fill(DEMO_PASSWORD);
        await page.locator('button[type="submit"]').click();
        return page;
      };
      const citizen = await signInAt('adele.exemple');
      await citizen.getByText('Réservé aux opérateurs').waitFor();
      expect(new URL(citizen.url()).origin).not.toBe(uiUrl);
      const operator = await signInAt('ops.guichet');
      await operator.waitForURL((u) => u.origin === uiUrl && u.pathname.startsWith('/namespaces/default/workflows'), { timeout: 20_000 });
      await operator.getByText('onboarding', { exact: true }).first().waitFor(); // the workflows, read with the operator's certificate
      await screenshot(operator, 'cluster-web-ui-workflows');
    } finally {
      await browser.close();
    }

    // The operator's CLI, as printed: it reads the workflows. Without a certificate: nothing.
    const temporal = await ensureTemporalCli();
    const line = out.split('\n').find((l) => l.includes('Operator CLI'))!;
    const operatorArgs = line
      .slice(line.indexOf('temporal workflow list') + 'temporal '.length)
      .trim()
      .split(/\s+/);
    let listed: { type?: { name?: string } }[] = [];
    for (let i = 0; i < 50 && !listed.length; i++) {
      if (i) await new Promise((r) => setTimeout(r, 200)); // visibility follows the workflow's close
      listed = JSON.parse((await runCli(temporal, [...operatorArgs, '--query', 'WorkflowType = "onboarding"', '--output', 'json'])).stdout) as typeof listed;
    }
    expect(listed.map((w) => w.type?.name)).toContain('onboarding');
    await expect(
      runCli(temporal, ['workflow', 'list', '--address', `127.0.0.1:${env.TEMPORAL_PORT}`, '--command-timeout', '5s'], { timeout: 30_000 }),
    ).rejects.toMatchObject({ stderr: expect.stringMatching(/failed reaching server/) });

    // One API replica and one worker die (kill -9) while the minor's application is under way.
    const noe = token('citizen', 'demo-noe');
    const minorBody = await application('demo-noe', 'scripts/demo/application-minor.json', noe);
    process.kill(pidOf('api 1'), 'SIGKILL');
    process.kill(pidOf('worker 1'), 'SIGKILL');
    // As the portal files: with an Idempotency-Key, sent again when the connection broke or the
    // entry point had no replica to answer (the request in flight on the killed one is lost).
    let minor: Response | undefined;
    for (let attempt = 0; attempt < 20 && !(minor && minor.status < 500); attempt++) {
      if (attempt) await new Promise((r) => setTimeout(r, 500));
      minor = await fetch(`${api}/v1/onboarding/applications`, {
        method: 'POST',
        headers: { authorization: `Bearer ${noe}`, 'content-type': 'application/json', 'idempotency-key': 'cluster-minor-0001' },
        body: JSON.stringify(minorBody),
      }).catch(() => undefined);
    }
    expect(minor!.status).toBe(202); // the entry point sent it to a living replica
    const minorId = ((await minor!.json()) as { applicationId: string }).applicationId;
    await until(`/v1/onboarding/applications/${minorId}`, noe, 'awaiting-review');
    for (let i = 0; i < 100 && !first.output().includes('api 1 died (SIGKILL); starting it again'); i++) await new Promise((r) => setTimeout(r, 100));
    expect(first.output()).toContain('worker 1 died (SIGKILL); starting it again');
    expect(first.output()).toContain('api 1 died (SIGKILL); starting it again');
    // Both replicas answer again: each, asked directly.
    for (const port of env.CLUSTER_API_PORTS!.split(','))
      for (let i = 0; i < 300; i++) {
        const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then(
          (r) => r.ok,
          () => false,
        );
        if (ok) break;
        await new Promise((r) => setTimeout(r, 200));
      }
    expect((await fetch(`http://127.0.0.1:${env.CLUSTER_API_PORTS!.split(',')[0]}/readyz`)).status).toBe(200);

    expect(await stopNpm(first.proc)).toBe(0);
    expect(first.output()).toContain('stopped; data kept in');
  } finally {
    await stopNpmAnyway(first.proc);
  }
}, 400_000);
