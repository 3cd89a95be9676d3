// The demo's e-ID path as the README walks it: startDemoEid (the demo issuer and the fake
// verifier that trusts it), the engine's adapter set up from the env it returns, and the wallet
// CLI run as the person would run it (a child process). Over real HTTP on loopback, in a
// temporary data directory.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { listenOn } from '../../fakes/http';
import { demoBetaIdClaims, DEMO_IDENTITIES } from '../../fakes/eid-wallet/demo-issuer';
import { loadEidVerifierConfig } from '../../infra/eid/config';
import { createEidVerifier, type EidVerifier } from '../../infra/eid/verifier-client';
import { startDemoEid, type DemoEid } from '../../scripts/lib/demo-eid';
import { freePort } from '../../scripts/lib/ports';

// A wait for the webhook or a child that hangs fails here, not at jest's two minutes.
jest.setTimeout(30_000);

const ROOT = join(__dirname, '..', '..');
const WEBHOOK = { apiKeyHeader: 'x-verifier-key', apiKeyValue: 'a-static-webhook-key-for-the-demo' };
const ADELE = { given_name: 'Adèle', family_name: 'Exemple', birth_date: '1985-03-21', personal_administrative_number: '756.1234.5678.04' };
/** What must never be in the wallet's output. */
const PERSONAL = ['Adèle', 'Exemple', '1985', '756.'];

let dataDir: string;
let walletDir: string;
let webhookPort: number;
let demo: DemoEid;
let eid: EidVerifier;

async function start(issuerPort = 0): Promise<void> {
  demo = await startDemoEid({
    dataDir,
    issuerPort,
    verifierPort: 0,
    // Nothing listens there until the webhook test: the verifier must wait for it quietly.
    webhook: { url: `http://127.0.0.1:${webhookPort}/eid/webhook`, ...WEBHOOK, intervalMs: 20 },
  });
  eid = createEidVerifier({ ...loadEidVerifierConfig({ ...demo.env }), pollInitialMs: 10, pollMaxMs: 50 });
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'eid-demo-'));
  walletDir = join(dataDir, 'wallet');
  webhookPort = await freePort();
  await start();
});
afterAll(async () => {
  await demo?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** `npm run wallet -- --as <sub> <link> …` against the demo issuer. */
function wallet(sub: string, link: string, ...more: string[]): Promise<Run> {
  const args = ['--import', 'tsx', 'scripts/wallet.ts', '--as', sub, link, '--issuer', demo.issuerUrl, '--dir', walletDir, ...more];
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd: ROOT, env: { ...process.env, DATA_DIR: dataDir }, timeout: 20_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

function expectNoPersonalData(run: Run): void {
  for (const value of PERSONAL) expect(`${run.stdout}${run.stderr}`).not.toContain(value);
  expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
}

const deadline = () => new Date(Date.now() + 10_000);
const adeleFile = () => JSON.parse(readFileSync(join(walletDir, 'demo-adele.json'), 'utf8')) as { statusIdx: number };

/** Listens on the webhook port, now, until the event of `verificationId` arrives. */
async function webhookEvent(verificationId: string): Promise<string> {
  let arrived: (id: string) => void = () => undefined;
  const event = new Promise<string>((resolve) => (arrived = resolve));
  const hook = express();
  hook.post('/eid/webhook', express.json(), (req, res) => {
    const id = eid.parseWebhook(req.headers, req.body);
    if (id === verificationId) arrived(id);
    res.status(id ? 204 : 401).end();
  });
  const server = await listenOn(hook, webhookPort, '127.0.0.1');
  try {
    return await event;
  } finally {
    await server.close();
  }
}

async function setStatus(idx: number, value: 0 | 1 | 2): Promise<void> {
  const res = await fetch(`${demo.issuerUrl}/_control/status`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ idx, value }),
  });
  expect(res.status).toBe(200);
}

it('gives the adapter the settings it needs, and the webhook header', () => {
  expect(demo.env).toEqual({
    EID_VERIFIER_URL: demo.verifierUrl,
    EID_ACCEPTED_ISSUER_DIDS: expect.stringMatching(/^did:tdw:/) as string,
    EID_VCT_VALUES: 'urn:vct:ch.admin.bcs.betaid,betaid-sdjwt',
    EID_WEBHOOK_API_KEY_HEADER: WEBHOOK.apiKeyHeader,
    EID_WEBHOOK_API_KEY_VALUE: WEBHOOK.apiKeyValue,
  });
});

it("Adèle's wallet presents her e-ID, the adapter reads her four claims, and a webhook target that comes up late still hears of it", async () => {
  const started = await eid.startVerification();

  const run = await wallet('demo-adele', started.deeplink);

  expect(run).toMatchObject({ code: 0, stdout: 'presented: HTTP 200\n', stderr: '' });
  expectNoPersonalData(run);
  const result = await eid.awaitResult(started.verificationId, { deadline: deadline() });
  expect(result).toMatchObject({ status: 'verified', claims: ADELE, vct: 'urn:vct:ch.admin.bcs.betaid' });
  expect(statSync(join(walletDir, 'demo-adele.json')).mode & 0o777).toBe(0o600);
  expect(statSync(join(dataDir, 'eid', 'issuer-key.json')).mode & 0o777).toBe(0o600);
  // The engine's webhook route was not up when she answered: the verifier kept the event.
  expect(await webhookEvent(started.verificationId)).toBe(started.verificationId);
});

it('a revoked credential fails with credential_revoked', async () => {
  const { statusIdx } = adeleFile();
  await setStatus(statusIdx, 1);
  const started = await eid.startVerification();

  const run = await wallet('demo-adele', started.deeplink);
  await setStatus(statusIdx, 0);

  expect(run.code).toBe(1);
  expect(run.stderr).toBe('refused: HTTP 400 credential_revoked: Credential is not valid\n');
  expectNoPersonalData(run);
  expect(await eid.awaitResult(started.verificationId, { deadline: deadline() })).toEqual({ status: 'failed', code: 'credential_revoked' });
});

it('the holder declining gives client_rejected', async () => {
  const started = await eid.startVerification();

  const run = await wallet('demo-adele', started.deeplink, '--reject');

  expect(run).toMatchObject({ code: 0, stdout: 'declined: HTTP 200\n' });
  expect(await eid.awaitResult(started.verificationId, { deadline: deadline() })).toEqual({ status: 'failed', code: 'client_rejected' });
});

it('an unknown demo identity, or a link that is not one, ends with a clear line (no stack trace) and no wallet file', async () => {
  const started = await eid.startVerification();

  const [unknown, bad] = await Promise.all([wallet('demo-nobody', started.deeplink), wallet('demo-lou', 'not a link')]);

  expect(unknown).toMatchObject({ code: 1, stderr: 'wallet: the demo issuer has no such demo identity (the demo people are in fakes/demo-identities.json)\n' });
  expect(bad).toMatchObject({ code: 1, stderr: expect.stringMatching(/^wallet: not a link/) as string });
  expectNoPersonalData(bad);
  expect(existsSync(join(walletDir, 'demo-nobody.json'))).toBe(false);
});

it('a restart on the same data keeps the issuer DID, its revocations and the wallet credential', async () => {
  const did = demo.env.EID_ACCEPTED_ISSUER_DIDS;
  const issuerPort = Number(new URL(demo.issuerUrl).port);
  const { statusIdx } = adeleFile();
  await setStatus(statusIdx, 1);

  await demo.close();
  await start(issuerPort);
  const started = await eid.startVerification();
  const run = await wallet('demo-adele', started.deeplink);

  expect(demo.env.EID_ACCEPTED_ISSUER_DIDS).toBe(did);
  // Revoked, not unknown: the new verifier trusts the kept credential's issuer, and the list kept its entry.
  expect(run.stderr).toBe('refused: HTTP 400 credential_revoked: Credential is not valid\n');
  expect(adeleFile().statusIdx).toBe(statusIdx); // the same credential, not a new one
});

it("a demo Beta-ID's age flags turn on the birthday, as strings; a 29 February birthday falls on 1 March", () => {
  const noe = DEMO_IDENTITIES.find((p) => p.sub === 'demo-noe')!; // born 2010-05-14
  const leap = { ...noe, birthDate: '2008-02-29' };
  const on = (date: string) => new Date(`${date}T12:00:00Z`);

  expect(demoBetaIdClaims(noe, on('2026-05-13'), 'X')).toMatchObject({ age_over_16: 'false', age_over_18: 'false', age_birth_year: '2010' });
  expect(demoBetaIdClaims(noe, on('2026-05-14'), 'X')).toMatchObject({ age_over_16: 'true', age_over_18: 'false', age_over_65: 'false' });
  expect(demoBetaIdClaims(leap, on('2026-02-28'), 'X').age_over_18).toBe('false');
  expect(demoBetaIdClaims(leap, on('2026-03-01'), 'X').age_over_18).toBe('true');
  expect(demoBetaIdClaims(noe, on('2026-12-02'), 'X')).toMatchObject({ issuance_date: '2026-12-02', expiry_date: '2031-12-01' });
});
