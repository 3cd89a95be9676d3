// The README's quick start, kept true: `npm start` brings the whole system up on embedded
// defaults, Ctrl-C stops it cleanly, and the next start finds the data again.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_PASSWORD } from '../../infra/identity-provider/accounts';
import { launchBrowser, openTab, signIn } from '../support/browser';
import { npmStartEnv, startNpm, stopNpm, stopNpmAnyway } from '../support/npm-start';

const root = join(__dirname, '..', '..');
const dataDir = mkdtempSync(join(tmpdir(), 'guichet-start-'));
chmodSync(dataDir, 0o755);
let env: NodeJS.ProcessEnv;

const token = (role: string, sub: string, more: string[] = []) =>
  execFileSync(process.execPath, ['--import', 'tsx', 'scripts/token.ts', '--role', role, '--sub', sub, ...more], { cwd: root, env })
    .toString()
    .trim();

beforeAll(async () => {
  env = await npmStartEnv(dataDir);
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

it('serves the API, the Web UI and the mail catcher, stops on Ctrl-C, and keeps its data', async () => {
  const api = `http://127.0.0.1:${env.PORT}`;
  const first = await startNpm(env);
  try {
    expect(first.output()).toContain(`Temporal Web UI ............ http://127.0.0.1:${env.TEMPORAL_UI_PORT}`);
    // The Jura text of the seeds ended on 31 October 2021: said once at start, by the API and the worker.
    expect(first.output()).toContain('rule set JU-GVS-2013 is not in force today');
    expect((await fetch(`${api}/readyz`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${env.TEMPORAL_UI_PORT}/`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${env.MAIL_WEB_PORT}/`)).status).toBe(200);
    expect((await fetch(`${api}/docs/`)).status).toBe(200);

    const filed = await fetch(`${api}/v1/access-requests`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token('citizen', 'quick-start')}`, 'content-type': 'application/json' },
      body: JSON.stringify({ unitId: 'SPOP', service: 'archives', avsNumber: '756.9217.0769.85', email: 'quick@example.ch' }),
    });
    expect(filed.status).toBe(202);
    const { requestId } = (await filed.json()) as { requestId: string };

    // The README's onboarding walk-through, with the demo people of the fake registers.
    const post = (path: string, token: string, body?: unknown) =>
      fetch(`${api}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    const get = async (path: string, token: string) =>
      (await fetch(`${api}${path}`, { headers: { authorization: `Bearer ${token}` } })).json() as Promise<{
        status: string;
        state: string;
        pending: { taskId: string };
      }>;
    const until = async (path: string, token: string, status: string) => {
      for (let i = 0; i < 300; i++) {
        const body = await get(path, token);
        if (body.status === status) return body;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`${path} never reached ${status}`);
    };
    // As the README does it: the e-ID presented with `npm run wallet`, the contract signed with `npm run sign`.
    const cli = (script: string, ...args: string[]) =>
      execFileSync(process.execPath, ['--import', 'tsx', script, ...args], { cwd: root, env })
        .toString()
        .trim();
    const signed = async (sub: string, version: string, bearerToken: string) => {
      const file = join(dataDir, `${sub}-${version}.txt`);
      writeFileSync(
        file,
        Buffer.from(await (await fetch(`${api}/v1/terms-versions/${version}/document`, { headers: { authorization: `Bearer ${bearerToken}` } })).arrayBuffer()),
      );
      return JSON.parse(cli('scripts/sign.ts', '--as', sub, file)) as { documentSha256: string; signatureValue: string; signedAt: string };
    };
    const application = async (sub: string, demoFile: string, bearerToken: string) => {
      const started = (await (await post('/v1/identity-verifications', bearerToken)).json()) as { verificationId: string; deeplink: string };
      expect(cli('scripts/wallet.ts', '--as', sub, started.deeplink)).toBe('presented: HTTP 200');
      const proof = await (
        await fetch(`${api}/v1/identity-verifications/${started.verificationId}?wait=10`, { headers: { authorization: `Bearer ${bearerToken}` } })
      ).json();
      expect(proof).toMatchObject({ status: 'verified' });
      const body = JSON.parse(readFileSync(join(root, demoFile), 'utf8')) as { identityVerificationId: string; contractSignature: object };
      body.identityVerificationId = started.verificationId;
      Object.assign(body.contractSignature, await signed(sub, 'CG-2013-1', bearerToken));
      return body;
    };
    const adele = token('citizen', 'demo-adele');
    expect(first.output()).toContain(`Demo e-ID issuer ........... http://127.0.0.1:${env.EID_ISSUER_PORT}`);
    const adult = await post('/v1/onboarding/applications', adele, await application('demo-adele', 'scripts/demo/application-adult.json', adele));
    expect(adult.status).toBe(202);
    const adultId = ((await adult.json()) as { applicationId: string }).applicationId;
    await until(`/v1/onboarding/applications/${adultId}`, adele, 'approved');
    const mails = (await (await fetch(`http://127.0.0.1:${env.MAIL_WEB_PORT}/email`)).json()) as Array<{ to: Array<{ address: string }> }>;
    expect(mails.some((m) => m.to.some((t) => t.address === 'adele.exemple@example.ch'))).toBe(true);

    const noe = token('citizen', 'demo-noe');
    const minor = await post('/v1/onboarding/applications', noe, await application('demo-noe', 'scripts/demo/application-minor.json', noe));
    const minorId = ((await minor.json()) as { applicationId: string }).applicationId;
    const waiting = await until(`/v1/onboarding/applications/${minorId}`, noe, 'awaiting-review');
    // … and a reviewer approves it by clicking, in the workspace at /staff (README).
    const browser = await launchBrowser();
    try {
      const { page } = await openTab(browser);
      await signIn(page, api, 'anne.chancellerie', DEMO_PASSWORD);
      await page.getByLabel('Type').selectOption('review');
      await page.locator(`tr[data-task="${waiting.pending.taskId}"]`).getByRole('link').click();
      await page.getByRole('button', { name: 'Prendre' }).click();
      await page.getByLabel('admise').check();
      await page.getByLabel('Justification').fill("Apprenti auprès de l'administration cantonale (art. 4 al. 7)");
      await page.getByRole('button', { name: 'Enregistrer la décision' }).click();
      await page.getByTestId('application-status').filter({ hasText: 'admise' }).waitFor();
    } finally {
      await browser.close();
    }
    expect((await get(`/v1/onboarding/applications/${minorId}`, noe)).status).toBe('approved');
    const staff = token('chancellery', 'reviewer-1');

    // The README's legal-entity walk-through: Adèle contracts for Horlogerie Exemple SA (the fake
    // commercial register says she signs alone), the Chancellery verifies her powers, she
    // authorises Noé for one service, he files for the company, she blocks him.
    const company = JSON.parse(readFileSync(join(root, 'scripts/demo/entity-application.json'), 'utf8')) as { contractSignature: object };
    Object.assign(company.contractSignature, await signed('demo-adele', 'CG-2013-1', adele));
    const entityApp = (await (await post('/v1/entity-applications', adele, company)).json()) as { applicationId: string };
    const powers = await until(`/v1/entity-applications/${entityApp.applicationId}`, adele, 'awaiting-powers');
    const reviewer = token('chancellery', 'reviewer-1');
    expect((await post(`/v1/tasks/${powers.pending.taskId}/claim`, reviewer)).status).toBe(200);
    const approvedPowers = await post(`/v1/tasks/${powers.pending.taskId}/complete`, reviewer, {
      outcome: 'approve',
      justification: 'signature individuelle inscrite au registre du commerce',
    });
    expect(approvedPowers.status).toBe(200);
    await until(`/v1/entity-applications/${entityApp.applicationId}`, adele, 'approved');
    expect((await post('/v1/entities/CHE-111.111.118/members', adele, { sub: 'demo-noe', services: ['library'] })).status).toBe(200);
    const forCompany = { unitId: 'SPOP', service: 'library', uid: 'CHE-111.111.118', email: 'info@horlogerie-exemple.ch', onBehalfOf: 'entity:111111118' };
    expect((await post('/v1/access-requests', noe, forCompany)).status).toBe(202);
    expect((await post('/v1/entities/CHE-111.111.118/members/demo-noe/block', adele, { reason: 'fin des rapports de travail' })).status).toBe(200);
    const blockedFiling = await post('/v1/access-requests', noe, forCompany);
    expect(blockedFiling.status).toBe(403);
    expect(((await blockedFiling.json()) as { error: { code: string } }).error.code).toBe('no_mandate');

    // The README's decision walk-through: consent, a decision from the demo unit SPOP, opening.
    expect((await post('/v1/me/service-consents', adele, { unitId: 'SPOP', domain: 'population' })).status).toBe(201);
    const spop = execFileSync(
      process.execPath,
      ['--import', 'tsx', 'scripts/token.ts', '--role', 'unit', '--sub', 'agent-1', '--unit', 'SPOP', '--domains', 'population'],
      { cwd: root, env },
    )
      .toString()
      .trim();
    const served = await post('/v1/decisions', spop, {
      recipientSub: 'demo-adele',
      unitId: 'SPOP',
      domain: 'population',
      reference: 'SPOP-2026-001',
      title: 'Prolongation du permis de séjour',
      remedy: { kind: 'opposition', days: 30 },
      legalRemediesText: 'Opposition dans les 30 jours auprès du Service de la population, 2800 Delémont.',
      documentPdfBase64: readFileSync(join(root, 'scripts/demo/decision.pdf')).toString('base64'),
    });
    expect(served.status).toBe(202);
    const decisionId = ((await served.json()) as { decisionId: string }).decisionId;
    for (let i = 0; i < 300 && (await get(`/v1/decisions/${decisionId}`, adele)).state !== 'awaiting-opening'; i++)
      await new Promise((r) => setTimeout(r, 100));
    const opened = (await (await post(`/v1/decisions/${decisionId}/open`, adele)).json()) as { state: string; rule: string; remedyPeriod: unknown };
    expect(opened).toMatchObject({ state: 'served', rule: 'opened in time', remedyPeriod: { start: expect.any(String), lastDay: expect.any(String) } });
    expect((await post(`/v1/decisions/${decisionId}/appeal`, adele)).status).toBe(422);

    // The README's terms walk-through: a new version restricts Adèle until her QES acceptance.
    const terms = await post('/v1/terms-versions', staff, JSON.parse(readFileSync(join(root, 'scripts/demo/terms-version.json'), 'utf8')));
    expect(terms.status).toBe(201);
    const contract = async () =>
      (await (await fetch(`${api}/v1/me/contract`, { headers: { authorization: `Bearer ${adele}` } })).json()) as { status: string; reason: string };
    for (let i = 0; i < 300 && (await contract()).status !== 'restricted'; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await contract()).toMatchObject({ status: 'restricted', reason: expect.stringContaining('CG-2027-1') });
    const archives = { unitId: 'SPOP', service: 'archives', avsNumber: '756.1234.5678.04', email: 'adele.exemple@example.ch' };
    const refused = await post('/v1/access-requests', adele, archives);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('contract_restricted');
    const accepted = await post('/v1/me/terms-acceptances', adele, { version: 'CG-2027-1', ...(await signed('demo-adele', 'CG-2027-1', adele)) });
    expect(accepted.status).toBe(200);
    expect(await accepted.json()).toMatchObject({ status: 'active' });
    // The acceptance answers once the contract's state is written: access is back at once.
    expect((await post('/v1/access-requests', adele, archives)).status).toBe(202);

    // The README's services walk-through: access to the commune's residence attestation on
    // request, granted in the commune's inbox; the transaction with its fee, paid through the
    // fake provider; the attestation sealed into her inbox, whose seal verifies.
    const commune = token('unit', 'agent-commune', ['--unit', 'COMMUNE-DELEMONT', '--domains', 'habitants']);
    type Body = Partial<Record<'state' | 'taskId' | 'requestId' | 'unitId' | 'transactionId' | 'receiptNumber' | 'providerTransactionId', string>> & {
      items?: { taskId: string }[];
    };
    const json = async (res: Response | Promise<Response>) => (await (await res).json()) as Body;
    const wait = async (path: string, who: string, ok: (b: Body) => boolean) => {
      for (let i = 0; i < 300; i++) {
        const b = await json(fetch(`${api}${path}`, { headers: { authorization: `Bearer ${who}` } }));
        if (ok(b)) return b;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`${path} never got there`);
    };
    const access = await json(
      post('/v1/access-requests', adele, { service: 'attestation-de-residence', avsNumber: '756.1234.5678.04', email: 'adele.exemple@example.ch' }),
    );
    expect(access).toMatchObject({ unitId: 'COMMUNE-DELEMONT' });
    const { taskId } = await wait(`/v1/access-requests/${access.requestId}`, adele, (b) => !!b.taskId);
    await wait('/v1/tasks?kind=access-request', commune, (b) => !!b.items?.some((t) => t.taskId === taskId));
    // The commune's own system heard of it at its webhook, the signature checked there.
    const heard = async (eventId: string) => {
      for (let i = 0; i < 300; i++) {
        const { events } = (await (await fetch(`http://127.0.0.1:${env.UNIT_SYSTEMS_PORT}/_control/events?unitId=COMMUNE-DELEMONT`)).json()) as {
          events: { eventId: string }[];
        };
        if (events.some((e) => e.eventId === eventId)) return true;
        await new Promise((r) => setTimeout(r, 100));
      }
      return false;
    };
    expect(await heard(`${access.requestId}:access-request.filed`)).toBe(true);
    expect((await post(`/v1/tasks/${taskId}/claim`, commune)).status).toBe(200);
    expect((await post(`/v1/tasks/${taskId}/complete`, commune, { outcome: 'grant' })).status).toBe(200);
    await wait(`/v1/access-requests/${access.requestId}`, adele, (b) => b.state === 'granted');
    const tx = await json(post('/v1/transactions', adele, { service: 'attestation-de-residence', form: { kind: 'domicile', for: 'self' } }));
    expect(tx.receiptNumber).toMatch(/^JU-\d{4}-\d{6}$/);
    await wait(`/v1/transactions/${tx.transactionId}`, adele, (b) => b.state === 'awaiting-payment');
    const payment = await json(post(`/v1/transactions/${tx.transactionId}/payment`, adele));
    const settled = await fetch(`http://127.0.0.1:${env.PAYMENTS_PORT}/_control/transactions/${payment.providerTransactionId}/pay`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ outcome: 'settle' }),
    });
    expect(settled.ok).toBe(true);
    await wait(`/v1/transactions/${tx.transactionId}`, adele, (b) => b.state === 'awaiting-unit' && !!b.taskId);
    const answerPdf = readFileSync(join(root, 'scripts/demo/decision.pdf'));
    const answered = await post(`/v1/transactions/${tx.transactionId}/answer`, commune, {
      outcome: 'accept',
      document: { title: 'Attestation de domicile', content: answerPdf.toString('base64') },
    });
    expect(answered.status).toBe(200);
    const doc = await fetch(`${api}/v1/me/inbox/${tx.transactionId}:answer`, { headers: { authorization: `Bearer ${adele}` } });
    expect(doc.status).toBe(200);
    const pdfFile = join(dataDir, 'attestation.pdf');
    const certFile = join(dataDir, 'seal.pem');
    writeFileSync(pdfFile, Buffer.from(await doc.arrayBuffer()));
    writeFileSync(certFile, await (await fetch(`${api}/v1/seal/certificate`)).text());
    const verdict = JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', 'scripts/verify-seal.ts', pdfFile, certFile], { cwd: root, env }).toString());
    expect(verdict).toMatchObject({ valid: true, coversWholeDocument: true });

    expect(await stopNpm(first.proc)).toBe(0);
    expect(first.output()).toContain('stopped; data kept in');

    const second = await startNpm(env);
    try {
      const res = await fetch(`${api}/v1/access-requests/${requestId}`, { headers: { authorization: `Bearer ${token('citizen', 'quick-start')}` } });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ requestId, state: 'awaiting-unit' });
    } finally {
      expect(await stopNpm(second.proc)).toBe(0);
    }
  } finally {
    await stopNpmAnyway(first.proc);
  }
}, 400_000);
