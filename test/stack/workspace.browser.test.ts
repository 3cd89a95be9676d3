// The Chancellery's workspace in a real browser (Debian's Chromium, playwright-core): signed in
// through the real identity provider, against the real API, worker, Temporal and PostgreSQL.
// What staff rely on: find a minor's application, claim it, approve it with a justification;
// a refusal without reasons is shown next to the field; a colleague sees the claim live; an
// entity's powers are verified with the commercial register's answer beside the filer's
// representation; every page passes axe-core (no serious or critical violation).
// Screenshots: test-artifacts/.
import type { Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import request from 'supertest';
import { DEMO_PASSWORD } from '../../infra/identity-provider/accounts';
import { freePort } from '../../scripts/lib/ports';
import { testPeople } from '../support/applications';
import { activeCitizen, insertContract } from '../support/contracts';
import { insertService } from '../support/decisions';
import { contractTerms, signedApplication } from '../support/eid';
import { launchBrowser, openTab, screenshot, seriousViolations, signIn, type Tab } from '../support/browser';
import { startTestIdentityProvider } from '../support/identity';
import { decisionDeemedDelivered } from '../support/served-decision';
import { startStack, waitFor, type Stack } from '../support/stack';

// A commune of its own: other suites' tasks share the database and the inbox.
const commune = `Clos-du-Doubs-${randomUUID().slice(0, 6)}`;
const { people, fixturePath } = testPeople({ minor: { commune, birthDate: '2011-06-30' }, minor2: { commune, birthDate: '2013-02-02' } });
let stack: Stack;
let idp: Awaited<ReturnType<typeof startTestIdentityProvider>>;
let server: Server;
let browser: Browser;
let origin: string;
const tabs: Tab[] = [];

beforeAll(async () => {
  const port = await freePort();
  origin = `http://127.0.0.1:${port}`;
  idp = await startTestIdentityProvider({ redirectOrigins: [origin] });
  // Its own database: the entity's UID (the fake commercial register's fixture) is contracted once.
  stack = await startStack({ fixturePath, identityProvider: idp, ownDatabase: true });
  server = await new Promise<Server>((resolve) => {
    const s = stack.app.listen(port, '127.0.0.1', () => resolve(s));
  });
  browser = await launchBrowser();
});
afterAll(async () => {
  for (const t of tabs) await t.context.close().catch(() => undefined);
  await browser?.close();
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  await stack?.stop();
  await idp?.stop();
});

async function tab(): Promise<Page> {
  const t = await openTab(browser);
  tabs.push(t);
  return t.page;
}

async function noSeriousViolations(page: Page, name: string) {
  await screenshot(page, name);
  const violations = await seriousViolations(page);
  expect({ page: name, violations }).toEqual({ page: name, violations: [] });
}

/** A minor's application, waiting in the inbox for a review. */
async function minorWaiting(person = people.minor!) {
  const citizen = await stack.token({ role: 'citizen', sub: `citizen-${randomUUID()}` });
  const res = await request(stack.app)
    .post('/v1/onboarding/applications')
    .set({ Authorization: `Bearer ${citizen}` })
    .send(await signedApplication(stack, citizen, person));
  expect(res.status).toBe(202);
  const applicationId = (res.body as { applicationId: string }).applicationId;
  const waiting = await waitFor(
    async () =>
      (
        await request(stack.app)
          .get(`/v1/onboarding/applications/${applicationId}`)
          .set({ Authorization: `Bearer ${citizen}` })
      ).body as { status: string; pending: { taskId: string } | null },
    (s) => s.status === 'awaiting-review',
  );
  return { applicationId, taskId: waiting.pending!.taskId };
}

const row = (page: Page, taskId: string) => page.locator(`tr[data-task="${taskId}"]`);

it('signs a reviewer in, who finds a minor’s application, claims it and approves it; a colleague sees the claim live', async () => {
  const { applicationId, taskId } = await minorWaiting();

  // Anne signs in at the provider's page (checked too), and lands on the inbox.
  const anne = await tab();
  await anne.goto(`${origin}/staff/`);
  await anne.locator('input[name="login"]').waitFor();
  expect(new URL(anne.url()).origin).toBe(idp.issuer);
  await noSeriousViolations(anne, '01-provider-login');
  await signIn(anne, origin, 'anne.chancellerie', DEMO_PASSWORD);
  await anne.getByRole('heading', { level: 1, name: 'Tâches à traiter' }).waitFor();

  // She narrows the inbox to unclaimed reviews in the commune.
  await anne.getByLabel('Type').selectOption('review');
  await anne.getByLabel('Attribution').selectOption('none');
  await anne.getByLabel('Commune').fill(commune);
  await row(anne, taskId).waitFor();
  // The row may show before the commune filter applies (the list reloads as she types): wait for the filtered list.
  expect(
    await waitFor(
      () => anne.locator('tbody tr').count(),
      (n) => n === 1,
      10_000,
    ),
  ).toBe(1);
  await noSeriousViolations(anne, '02-inbox');

  // Marc, in another browser, looks at the same commune.
  const marc = await tab();
  await signIn(marc, origin, 'marc.chancellerie', DEMO_PASSWORD, `/staff/?commune=${encodeURIComponent(commune)}`);
  await row(marc, taskId).waitFor();
  await expectText(row(marc, taskId).locator('.claimed-by'), /personne/);

  // Anne opens the case: the applicant is shown (and the read access-logged), with the timeline.
  await row(anne, taskId).getByRole('link').click();
  await anne.getByRole('heading', { level: 1, name: /Dossier/ }).waitFor();
  await anne.getByText('Testeur').first().waitFor();
  await anne.getByTestId('timeline').waitFor();
  expect(await stack.db.accessLog.count({ where: { recordId: applicationId, actorSub: 'staff-anne' } })).toBeGreaterThanOrEqual(1);
  await noSeriousViolations(anne, '03-case');

  // She claims it; Marc's row changes without a reload.
  await anne.getByRole('button', { name: 'Prendre' }).click();
  await expectText(anne.getByTestId('claimed-by'), /moi/);
  await expectText(row(marc, taskId).locator('.claimed-by'), /staff-anne/);
  await screenshot(marc, '04-colleague-sees-claim');

  // A refusal without reasons: the API's error, next to the field.
  await anne.getByLabel('refusée').check();
  await anne.getByRole('button', { name: 'Enregistrer la décision' }).click();
  await expectText(anne.getByTestId('field-error'), /au moins un motif/);
  expect(await anne.getByLabel('Motifs du refus').getAttribute('aria-invalid')).toBe('true');
  await noSeriousViolations(anne, '05-refusal-without-reasons');

  // An approval with a justification, by keyboard: the task is done and the application approved.
  await anne.getByLabel('admise').check();
  await anne.getByLabel('Justification').focus();
  await anne.keyboard.type('Apprentie à la commune, accord des parents au dossier (art. 4.7)');
  await anne.keyboard.press('Tab');
  await anne.keyboard.press('Enter');
  await expectText(anne.getByTestId('task-status'), /terminée — admise/);
  await expectText(anne.getByTestId('application-status'), /admise/);
  const task = await stack.db.task.findUniqueOrThrow({ where: { id: taskId } });
  expect(task).toMatchObject({ status: 'completed', outcome: 'approve', completedBy: 'staff-anne' });
  await screenshot(anne, '06-approved');
  await expectText(row(marc, taskId).locator('.claimed-by'), /staff-anne/);
  expect(await row(marc, taskId).getAttribute('class')).toBe('done');

  // Every request the pages made went to the API or, for the sign-in, to the provider.
  for (const t of tabs) for (const host of t.hosts) expect([new URL(origin).host, new URL(idp.issuer).host]).toContain(host);
});

it('announces a new task live, switches to German with Swiss dates, and keeps saved views on the server per user', async () => {
  const page = await tab();
  await signIn(page, origin, 'anne.chancellerie', DEMO_PASSWORD, `/staff/?commune=${encodeURIComponent(commune)}&status=open`);
  await page.getByRole('button', { name: 'Deutsch' }).click();
  await page.getByRole('heading', { level: 1, name: 'Offene Aufgaben' }).waitFor();
  // Which counter and rule set this deployment runs (DOMAIN.md §6).
  await expectText(page.getByTestId('rule-set'), /^Kanton JU · Regeln JU-GVS-2013 \(2013-01-01 – 2021-10-31\)$/);
  // A new application while the inbox is open: counted, shown on request.
  const { taskId } = await minorWaiting(people.minor2!);
  await page.getByRole('button', { name: 'Neue Aufgaben anzeigen (1)' }).click();
  await row(page, taskId).waitFor();
  expect(await page.locator('html').getAttribute('lang')).toBe('de');
  const due = await row(page, taskId).locator('time').innerText();
  expect(due).toMatch(/^\d{2}\.\d{2}\.\d{4}$/);

  await page.getByLabel('Name der Ansicht').fill('Meine Gemeinde');
  await page.getByRole('button', { name: 'Ansicht speichern' }).click();
  await expectText(page.locator('.live-state'), /Meine Gemeinde/);
  await noSeriousViolations(page, '07-inbox-de');
  const views = await request(stack.app)
    .get('/v1/me/views')
    .set({ Authorization: `Bearer ${await stack.token({ role: 'chancellery', sub: 'staff-anne' })}` });
  expect(views.body.items).toEqual(
    expect.arrayContaining([expect.objectContaining({ name: 'Meine Gemeinde', filters: expect.objectContaining({ commune }) })]),
  );
  // Another colleague has views of their own.
  const others = await request(stack.app)
    .get('/v1/me/views')
    .set({ Authorization: `Bearer ${await stack.token({ role: 'chancellery', sub: 'staff-marc' })}` });
  expect(others.body.items.map((v: { name: string }) => v.name)).not.toContain('Meine Gemeinde');
});

it("draws a served decision's timeline: the deemed delivery, the remedy period and the féries it skips", async () => {
  const d = await decisionDeemedDelivered(stack.db, '2026-12-12');
  const page = await tab();
  await signIn(page, origin, 'marc.chancellerie', DEMO_PASSWORD);
  await page.getByLabel('Identifiant de la décision').fill(d.id);
  await page.getByRole('button', { name: 'Ouvrir une décision' }).click();
  const svg = page.getByTestId('timeline');
  await svg.waitFor();
  expect(await svg.locator('rect.feries').count()).toBeGreaterThanOrEqual(1);
  expect(await svg.locator('.period-remedy-period').count()).toBe(1);
  expect(await svg.locator('rect.holiday').count()).toBeGreaterThanOrEqual(2);
  await page.locator('.events-list').getByText('Notification réputée').waitFor();
  await noSeriousViolations(page, '08-decision-timeline');
});

// fakes/commercial-register/demo-entities.json: Horlogerie Exemple SA, Adèle Exemple signs alone.
const INDIVIDUAL = 'CHE-111.111.118';
const ADELE = { firstName: 'Adèle', lastName: 'Exemple', birthDate: '1985-03-21' };

it("verifies an entity's powers with the register's answer beside the filer's representation, approves them and shows the entity's people", async () => {
  // Adèle, a user of the counter, has given Marc a proxy, and files Horlogerie Exemple SA's contract.
  const adele = await insertContract(stack.db, { canton: 'JU' });
  await stack.db.registeredUser.update({ where: { sub: adele.sub }, data: ADELE });
  const adeleToken = await stack.token({ role: 'citizen', sub: adele.sub });
  const marc = await insertContract(stack.db, { canton: 'JU' });
  await request(stack.app)
    .post('/v1/me/proxies')
    .set({ Authorization: `Bearer ${adeleToken}` })
    .send({ representativeSub: marc.sub, services: ['library'] })
    .expect(201);
  const terms = await contractTerms(stack.db, 'JU');
  const filed = await request(stack.app)
    .post('/v1/entity-applications')
    .set({ Authorization: `Bearer ${adeleToken}` })
    .send({
      uid: INDIVIDUAL,
      email: 'info-horlogerie@example.ch',
      address: { street: "Rue de l'Exemple 12", postCode: '2800', locality: 'Delémont' },
      contractSignature: { documentSha256: terms.sha256, signatureValue: await stack.qes.sign(Buffer.from(terms.text), ADELE), termsVersion: terms.version },
    });
  expect(filed.status).toBe(202);
  const applicationId = (filed.body as { applicationId: string }).applicationId;
  const waiting = await waitFor(
    async () =>
      (
        await request(stack.app)
          .get(`/v1/entity-applications/${applicationId}`)
          .set({ Authorization: `Bearer ${adeleToken}` })
      ).body as { status: string; pending: { taskId: string } | null },
    (s) => s.status === 'awaiting-powers',
  );
  const taskId = waiting.pending!.taskId;

  // Anne lists the entity tasks and opens this one.
  const anne = await tab();
  await signIn(anne, origin, 'anne.chancellerie', DEMO_PASSWORD, '/staff/?kind=entity-powers');
  await expectText(row(anne, taskId), /Pouvoirs d’une entité juridique/);
  expect(await anne.getByLabel('Type').inputValue()).toBe('entity-powers');
  await row(anne, taskId).getByRole('link').click();

  // The register's answer: the entity, its signatories with their power, the finding; the filer.
  await expectText(anne.getByTestId('entity-name'), /Horlogerie Exemple SA/);
  await expectText(anne.getByTestId('entity-finding'), /signature individuelle/);
  const signatories = anne.getByTestId('signatories');
  await expectText(signatories, /Exemple\s+(dépose la demande\s+)?Adèle\s+21\.03\.1985\s+administratrice unique\s+signature individuelle/);
  await expectText(anne.getByTestId('entity-application-status'), /vérification des pouvoirs/);
  // Adèle's representation: the proxy she gave Marc.
  await expectText(anne.getByTestId('proxies'), new RegExp(`donnée à\\s+${marc.sub}\\s+library`));
  expect(await stack.db.accessLog.count({ where: { recordId: applicationId, action: 'read.entity-powers', actorSub: 'staff-anne' } })).toBeGreaterThanOrEqual(
    1,
  );
  expect(await stack.db.accessLog.count({ where: { recordId: adele.sub, action: 'read.representation', actorSub: 'staff-anne' } })).toBeGreaterThanOrEqual(1);
  await noSeriousViolations(anne, '09-entity-powers');

  // She claims it and approves the powers with a justification.
  await anne.getByRole('button', { name: 'Prendre' }).click();
  await expectText(anne.getByTestId('claimed-by'), /moi/);
  // The outcomes of this kind: approve or refuse, nothing else.
  expect(await anne.locator('input[name="outcome"]').evaluateAll((inputs) => inputs.map((i) => (i as unknown as { value: string }).value))).toEqual([
    'approve',
    'refuse',
  ]);
  await anne.getByLabel('admise').check();
  await anne.getByLabel('Justification').fill('Signature individuelle inscrite au registre du commerce, identité vérifiée (art. 11.2)');
  await anne.getByRole('button', { name: 'Enregistrer la décision' }).click();
  await expectText(anne.getByTestId('task-status'), /terminée — admise/);
  await expectText(anne.getByTestId('entity-application-status'), /admise/);
  // Admitted: the entity's people, and Adèle now acts for it as its signatory.
  await expectText(anne.getByTestId('members'), new RegExp(`${adele.sub}\\s+signataire`));
  await expectText(anne.getByTestId('represented-entities'), /CHE-111\.111\.118\s+Horlogerie Exemple SA\s+signataire/);
  expect(await stack.db.task.findUniqueOrThrow({ where: { id: taskId } })).toMatchObject({
    status: 'completed',
    outcome: 'approve',
    completedBy: 'staff-anne',
  });
  await noSeriousViolations(anne, '10-entity-approved');
});

it("shows a unit its transaction's case with its timeline, and takes its refusal with reasons (Art. 15.2)", async () => {
  const citizen = await activeCitizen(stack);
  const service = await insertService(stack.db, 'SPOP', {
    access: 'free',
    formSchema: { type: 'object', properties: { motif: { type: 'string' } }, required: ['motif'], additionalProperties: false },
  });
  const submitted = await request(stack.app)
    .post('/v1/transactions')
    .set({ Authorization: `Bearer ${citizen.token}` })
    .send({ service, form: { motif: 'Attestation pour un bail' } });
  expect(submitted.status).toBe(202);
  const id = submitted.body.transactionId as string;
  const { taskId } = await waitFor(
    async () =>
      (
        await request(stack.app)
          .get(`/v1/transactions/${id}`)
          .set({ Authorization: `Bearer ${citizen.token}` })
      ).body as { taskId: string | null; state: string },
    (b) => b.state === 'awaiting-unit' && !!b.taskId,
  );

  const agent = await tab();
  await signIn(agent, origin, 'agent.spop', DEMO_PASSWORD, '/staff/?kind=transaction');
  await row(agent, taskId!).getByRole('link').click();
  await agent.getByRole('heading', { level: 2, name: `Démarche ${submitted.body.receiptNumber}` }).waitFor();
  await expectText(agent.getByTestId('transaction-state'), /chez l’unité/);
  await agent.getByText('Attestation pour un bail').waitFor();
  await agent.getByTestId('timeline').waitFor();
  await agent.getByRole('button', { name: 'Prendre' }).click();
  await expectText(agent.getByTestId('claimed-by'), /moi/);
  await noSeriousViolations(agent, '12-transaction-case');
  await agent.getByLabel('refuser').check();
  await agent.getByLabel('Motifs (un par ligne)').fill('La prestation ne délivre pas d’attestation pour un bail.');
  await agent.getByRole('button', { name: 'Enregistrer la décision' }).click();
  await expectText(agent.getByTestId('transaction-state'), /refusée/);
  expect(await stack.db.transaction.findUniqueOrThrow({ where: { id } })).toMatchObject({
    status: 'refused',
    reasons: ['La prestation ne délivre pas d’attestation pour un bail.'],
  });
  await screenshot(agent, '13-transaction-refused');
});

async function expectText(locator: ReturnType<Page['locator']>, pattern: RegExp, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    last = (await locator.innerText().catch(() => '')) ?? '';
    if (pattern.test(last)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`expected ${String(pattern)}, last text: ${JSON.stringify(last)}`);
}
