// Transactions (Art. 15) on the time-skipping server, through the application's use cases as
// the API calls them: a fee unpaid lapses after the rule set's 30 days; information asked for
// and not given by its day lapses the transaction; given in time, the unit answers again and
// its accepted document lands sealed in the inbox. The user is told each step by e-mail.
import { randomUUID } from 'node:crypto';
import { createApplication } from '../../app';
import type { Caller } from '../../app/caller';
import { createGateways } from '../../app/gateways';
import { ruleSetById } from '../../domain/rule-sets';
import { makeDemoSealKey, verifySealedPdf, type SealKey } from '../../infra/seal';
import { transactionWorkflowId } from '../../workflows/transaction/definitions';
import { insertContract } from '../support/contracts';
import { insertService, insertUnit, samplePdf } from '../support/decisions';
import { recordHistory } from '../support/histories';
import { waitFor } from '../support/stack';
import { startTimeSkippingSuite, type TimeSkippingSuite } from '../support/time-skipping';

const JU = ruleSetById('JU-GVS-2013');
const DAY_MS = 86_400_000;
const CREDITOR = {
  account: 'CH4431999123000889012',
  name: 'Commune de Test',
  street: "Rue de l'Hôpital",
  buildingNumber: '2',
  postalCode: '2800',
  town: 'Delémont',
  country: 'CH',
};

let suite: TimeSkippingSuite;
let seal: SealKey;
let app: ReturnType<typeof createApplication>;
beforeAll(async () => {
  seal = await makeDemoSealKey({ canton: 'JU', organisation: 'Chancellerie de test' });
  suite = await startTimeSkippingSuite({ seal });
  app = createApplication({
    db: suite.db,
    canton: 'JU',
    gateways: createGateways({ client: suite.env.client, taskQueue: suite.taskQueue, ruleSetId: JU.ruleSet.id }),
  });
});
afterAll(async () => {
  await suite?.stop();
});

const caller = (sub: string, role: 'citizen' | 'unit' = 'citizen', unitId?: string): Caller => ({
  principal: { sub, role, domains: role === 'unit' ? ['population'] : [], ...(unitId ? { unitId } : {}) },
  requestId: randomUUID(),
});

async function commune(feeCents: number | null) {
  const unitId = await insertUnit(suite.db, { domains: ['population'] });
  await suite.db.unit.update({ where: { id: unitId }, data: { creditor: CREDITOR } });
  const service = await insertService(suite.db, unitId, {
    access: 'free',
    feeCents,
    formSchema: { type: 'object', properties: { purpose: { type: 'string', minLength: 1 } }, required: ['purpose'], additionalProperties: false },
  });
  return { unitId, service, staff: caller(`staff-${unitId}`, 'unit', unitId) };
}

const mailsTo = async (to: string) => suite.adapters.mail.messages.filter((m) => m.to.includes(to.toLowerCase()));
const stateOf = (id: string) => suite.db.transaction.findUniqueOrThrow({ where: { id } });

it('a fee not paid within 30 days lapses the transaction, and the user is told', async () => {
  const c = await insertContract(suite.db, { canton: 'JU' });
  const { service } = await commune(2000);
  const s = await app.transactions.submit(caller(c.sub), { service, form: { purpose: 'bail' } }, null);
  expect(s.receiptNumber).toMatch(/^JU-\d{4}-\d{6}$/);
  await waitFor(
    () => stateOf(s.transactionId),
    (t) => t.status === 'awaiting-payment',
  );
  const docs = await suite.db.inboxDocument.findMany({ where: { transactionId: s.transactionId }, orderBy: { kind: 'asc' } });
  expect(docs.map((d) => d.kind)).toEqual(['qr-bill', 'receipt']);
  const handle = suite.env.client.workflow.getHandle(transactionWorkflowId(s.transactionId));
  await suite.env.sleep(JU.services.paymentDays * DAY_MS + DAY_MS);
  const end = await handle.result();
  expect(end).toMatchObject({ state: 'lapsed', outcome: 'lapsed', payment: { state: 'expired' } });
  expect(await stateOf(s.transactionId)).toMatchObject({ status: 'lapsed', paymentState: 'expired' });
  await waitFor(
    () => mailsTo(c.email),
    (ms) => ms.some((m) => m.subject.startsWith('Démarche caduque')),
  );
  const lapsed = (await mailsTo(c.email)).find((m) => m.subject.startsWith('Démarche caduque'))!;
  expect(lapsed.text).toContain("n'a pas été payé");
  await recordHistory('transaction-unpaid-lapsed', handle);
});

it('information asked for and not given by its day lapses the transaction', async () => {
  const c = await insertContract(suite.db, { canton: 'JU' });
  const { service, staff } = await commune(null);
  const s = await app.transactions.submit(caller(c.sub), { service, form: { purpose: 'bail' } }, null);
  await waitFor(
    () => app.transactions.get(caller(c.sub), s.transactionId),
    (t) => t.state === 'awaiting-unit' && t.taskId !== null,
  );
  const asked = await app.transactions.answer(staff, s.transactionId, { outcome: 'missing-information', missing: ['Copie du bail à loyer'] });
  expect(asked.state).toBe('awaiting-information');
  expect(Date.parse(asked.completionDueAt!) - Date.now()).toBeGreaterThan((JU.services.completionDays - 1) * DAY_MS);
  await waitFor(
    () => mailsTo(c.email),
    (ms) => ms.some((m) => m.subject.startsWith('Informations manquantes')),
  );
  expect((await mailsTo(c.email)).find((m) => m.subject.startsWith('Informations manquantes'))!.text).toContain('Copie du bail à loyer');
  // The unit cannot answer again while the user owes the information.
  await expect(app.transactions.answer(staff, s.transactionId, { outcome: 'accept' })).rejects.toMatchObject({ status: 409 });
  await suite.env.sleep(JU.services.completionDays * DAY_MS + DAY_MS);
  expect(await suite.env.client.workflow.getHandle(transactionWorkflowId(s.transactionId)).result()).toMatchObject({ state: 'lapsed', outcome: 'lapsed' });
  await waitFor(
    () => mailsTo(c.email),
    (ms) => ms.some((m) => m.text.includes("n'ont pas été fournies")),
  );
  // Closed: the completion comes too late.
  await expect(app.transactions.complete(caller(c.sub), s.transactionId, { form: { purpose: 'bail' } })).rejects.toMatchObject({ status: 409 });
});

it('completed in time, the unit accepts it and its document lands sealed in the inbox', async () => {
  const c = await insertContract(suite.db, { canton: 'JU' });
  const { service, staff } = await commune(null);
  const s = await app.transactions.submit(caller(c.sub), { service, form: { purpose: 'bail' } }, null);
  await waitFor(
    () => app.transactions.get(caller(c.sub), s.transactionId),
    (t) => t.state === 'awaiting-unit' && t.taskId !== null,
  );
  await app.transactions.answer(staff, s.transactionId, { outcome: 'missing-information', missing: ['Le motif exact'] });
  await suite.env.sleep(5 * DAY_MS);
  const back = await app.transactions.complete(caller(c.sub), s.transactionId, { form: { purpose: 'bail à loyer, logement principal' } });
  expect(back).toMatchObject({ state: 'awaiting-unit', rounds: 2 });
  await waitFor(
    () => app.transactions.get(caller(c.sub), s.transactionId),
    (t) => t.taskId !== null,
  );
  const attestation = samplePdf('Attestation de domicile');
  const done = await app.transactions.answer(staff, s.transactionId, {
    outcome: 'accept',
    document: { title: 'Attestation de domicile', content: attestation.toString('base64') },
  });
  expect(done).toMatchObject({ state: 'accepted', outcome: 'accept' });
  const doc = await suite.db.inboxDocument.findUniqueOrThrow({ where: { id: `${s.transactionId}:answer` } });
  expect(doc).toMatchObject({ ownerSub: c.sub, kind: 'attestation', sealed: true });
  expect(await verifySealedPdf(doc.content, seal.certificatePem)).toMatchObject({ valid: true, coversWholeDocument: true });
  // Two rounds, two tasks in the unit's inbox, both completed by its staff.
  await recordHistory('transaction-completed-accepted', suite.env.client.workflow.getHandle(transactionWorkflowId(s.transactionId)));
  const tasks = await suite.db.task.findMany({ where: { transactionId: s.transactionId }, orderBy: { createdAt: 'asc' } });
  expect(tasks.map((t) => [t.unitId, t.status, t.outcome])).toEqual([
    [staff.principal.unitId, 'completed', 'missing-information'],
    [staff.principal.unitId, 'completed', 'accept'],
  ]);
});
