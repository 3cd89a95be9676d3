// The README's Neuchâtel walk-through through `CANTON=NE npm start` (NE 3.1, 4.1, 4.2, 7.1):
// Adèle onboards with her e-ID and her signature of the Neuchâtel terms, her access rights come
// by two letters at the fake postal gateway, she signs in at the identity provider with her
// user code, the letter's password and the code the fake SMS gateway got, changes the initial
// password, and uses the API; five wrong passwords lock her account and the sixth try, right,
// is refused. No letter names a Jura authority, law or place.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { juraNamesIn } from '../support/canton-names';
import { npmStartEnv, startNpm, stopNpm, stopNpmAnyway } from '../support/npm-start';
import { pdfText } from '../support/pdf';
import { lastSmsCode, openPortalSignIn, secretsIn } from '../support/portal';

const root = join(__dirname, '..', '..');
const dataDir = mkdtempSync(join(tmpdir(), 'guichet-start-ne-'));
chmodSync(dataDir, 0o755);
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  env = await npmStartEnv(dataDir, { CANTON: 'NE' });
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const cli = (script: string, ...args: string[]) =>
  execFileSync(process.execPath, ['--import', 'tsx', script, ...args], { cwd: root, env })
    .toString()
    .trim();

it('onboards, posts the two letters, signs in with password and SMS code, and locks after 5 wrong entries', async () => {
  const api = `http://127.0.0.1:${env.PORT}`;
  const run = await startNpm(env);
  try {
    expect(run.output()).toContain('NE-GU-2025');
    const adele = cli('scripts/token.ts', '--role', 'citizen', '--sub', 'demo-adele');
    const auth = { authorization: `Bearer ${adele}` };
    const post = (path: string, body?: unknown) =>
      fetch(`${api}${path}`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });

    // As the README: the e-ID with `npm run wallet`, the Neuchâtel terms signed with `npm run sign`.
    const started = (await (await post('/v1/identity-verifications')).json()) as { verificationId: string; deeplink: string };
    expect(cli('scripts/wallet.ts', '--as', 'demo-adele', started.deeplink)).toBe('presented: HTTP 200');
    expect(await (await fetch(`${api}/v1/identity-verifications/${started.verificationId}?wait=10`, { headers: auth })).json()).toMatchObject({
      status: 'verified',
    });
    const terms = join(dataDir, 'terms.txt');
    writeFileSync(terms, Buffer.from(await (await fetch(`${api}/v1/terms-versions/GU-2025-1/document`, { headers: auth })).arrayBuffer()));
    const body = JSON.parse(readFileSync(join(root, 'scripts/demo/application-adult.ne.json'), 'utf8')) as {
      identityVerificationId: string;
      contractSignature: object;
      mobilePhone: string;
    };
    body.identityVerificationId = started.verificationId;
    Object.assign(body.contractSignature, JSON.parse(cli('scripts/sign.ts', '--as', 'demo-adele', terms)));
    const applied = await post('/v1/onboarding/applications', body);
    expect(applied.status).toBe(202);
    const { applicationId } = (await applied.json()) as { applicationId: string };
    const userId = `user-${applicationId}`;

    // NE 3.1: two letters, each with one element, through the postal gateway.
    const postal = `http://127.0.0.1:${env.POSTAL_PORT}`;
    let letters: { letterId: string }[] = [];
    for (let i = 0; i < 300 && letters.length < 2; i++) {
      const all = ((await (await fetch(`${postal}/_control/letters`)).json()) as { letters: { letterId: string }[] }).letters;
      letters = all.filter((l) => l.letterId.startsWith(`${userId}-access-rights-1-`));
      if (letters.length < 2) await new Promise((r) => setTimeout(r, 100));
    }
    expect(letters).toHaveLength(2);
    const texts = await Promise.all(
      letters.map(async (l) => (await pdfText(Buffer.from(await (await fetch(`${postal}/_control/letters/${l.letterId}/pdf`)).arrayBuffer()))).text),
    );
    for (const text of texts) expect(juraNamesIn(text)).toEqual([]);
    const { userCode, password } = secretsIn(texts);
    expect(userCode).toMatch(/^GU-\d{5}-\d{5}$/);

    // NE 4.1, 4.2: user code, password, SMS code; the initial password replaced first.
    const sms = `http://127.0.0.1:${env.SMS_PORT}`;
    const mobile = body.mobilePhone.replace(/\s/g, '');
    const portal = `${api}/portal/callback`;
    const issuer = `http://127.0.0.1:${env.ISSUER_PORT}`;
    const first = await openPortalSignIn(issuer, portal);
    expect((await first.browser.post(`${first.interaction}/login`, { login: userCode, password })).status).toBe(200);
    expect((await first.browser.post(`${first.interaction}/code`, { code: await lastSmsCode(sms, mobile) })).status).toBe(200);
    const changed = await first.browser.post(`${first.interaction}/password`, { newPassword: 'Lac-de-Neuchatel-1', confirm: 'Lac-de-Neuchatel-1' });
    const token = await first.token(changed);
    expect((await fetch(`${api}/v1/me/contract`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);

    // NE 7.1: five wrong entries, then even the right password is refused for 15 minutes.
    const second = await openPortalSignIn(issuer, portal);
    for (let i = 1; i <= 5; i++)
      expect((await second.browser.post(`${second.interaction}/login`, { login: userCode, password: `Faux-${i}-mot` })).status).toBe(401);
    const refused = await second.browser.post(`${second.interaction}/login`, { login: userCode, password: 'Lac-de-Neuchatel-1' });
    expect(refused.status).toBe(401);
    expect(await refused.text()).toContain('pendant 15 minutes');

    expect(await stopNpm(run.proc)).toBe(0);
  } finally {
    await stopNpmAnyway(run.proc);
  }
}, 300_000);

// A kill -9 of `npm start` leaves its children (in process groups of their own) on their ports.
// The next start stops them, and a killed npm takes the script and its children down with it.
it('comes up after a kill -9 of the last start, and stops by itself when npm is killed', async () => {
  // Ports of its own, picked now: those picked for the first test may have been handed out since.
  const env = await npmStartEnv(dataDir, { CANTON: 'NE' });
  const api = `http://127.0.0.1:${env.PORT}`;
  const runFile = join(dataDir, 'run', 'npm-start.json');
  const first = await startNpm(env);
  first.proc.kill('SIGKILL');
  await new Promise((resolve) => first.proc.once('exit', resolve));
  // Its API still answers: the orphans keep the ports.
  expect((await fetch(`${api}/readyz`)).status).toBe(200);

  const second = await startNpm(env, { viaNpm: true });
  try {
    for (const name of ['api', 'worker', 'Temporal dev server', 'embedded PostgreSQL'])
      expect(second.output()).toMatch(new RegExp(`stopping the ${name} \\(pid \\d+\\) that the last npm start left running`));
    expect((await fetch(`${api}/readyz`)).status).toBe(200);
    const { parent } = JSON.parse(readFileSync(runFile, 'utf8')) as { parent: { pid: number } };

    second.proc.kill('SIGKILL'); // npm itself: `sh -c` and the script outlive it
    const deadline = Date.now() + 60_000;
    while (!second.output().includes('stopped; data kept in') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    expect(second.output()).toMatch(/npm \(pid \d+\), which started this script, is gone; stopping everything/);
    expect(second.output()).toContain('stopped; data kept in');
    await new Promise((r) => setTimeout(r, 500));
    expect(() => process.kill(parent.pid, 0)).toThrow();
    for (const port of [env.PORT, env.TEMPORAL_PORT, env.POSTGRES_PORT]) await expect(fetch(`http://127.0.0.1:${port}/`)).rejects.toThrow();
    expect(existsSync(runFile)).toBe(false);
  } finally {
    // Whatever a failed run left: the children it wrote down.
    if (existsSync(runFile)) {
      const left = JSON.parse(readFileSync(runFile, 'utf8')) as { parent: { pid: number }; children: Array<{ pid: number }> };
      for (const p of [left.parent, ...left.children])
        try {
          process.kill(p.pid, 'SIGKILL');
        } catch {
          // gone
        }
    }
  }
}, 300_000);
