// Retention and destruction (Art. 18-19) on the time-skipping server: years pass in
// milliseconds. Records are kept through their last day and destroyed once it is over —
// rows gone, the data key destroyed so the histories that held their personal data are
// unreadable, a destruction record with no personal data — and a legal hold keeps them.
// The tests run in date order: the server's clock only moves forward.
import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { addDays, endOfLocalDay, localDay } from '../../domain/days';
import { retentionEnd } from '../../domain/legal-calendar';
import { profiles } from '../../domain/profiles';
import { recordRef } from '../../activities/retention';
import { AesGcmCodec } from '../../infra/codec';
import { DataKeyCodec, KeyDestroyedError } from '../../infra/data-keys';
import { accessRequestWorkflowId, decideUpdate } from '../../workflows/access-request/definitions';
import type { AccessRequestInput } from '../../workflows/access-request/types';
import type { accessRequest } from '../../workflows/access-request/workflow';
import { acceptTermsUpdate, contractStateQuery, contractWorkflowId, termsPublishedSignal, terminateUpdate } from '../../workflows/contract/definitions';
import type { contract } from '../../workflows/contract/workflow';
import { personalData } from '../../workflows/personal-data';
import { decisionServiceWorkflowId, openUpdate, serviceStateQuery } from '../../workflows/decision-service/definitions';
import type { decisionService } from '../../workflows/decision-service/workflow';
import { ERASED, scrubAudit, writeAudit } from '../../records/audit';
import { retentionStateQuery, retentionWorkflowId, type RecordKind, type RetentionInput, type RetentionState } from '../../workflows/retention/definitions';
import type { retention } from '../../workflows/retention/workflow';
import { insertContract, insertTermsVersion, qesFor } from '../support/contracts';
import { insertDecision, insertUnit, insertUser } from '../support/decisions';
import { fixtureKeyring, recordHistory } from '../support/histories';
import { waitFor } from '../support/stack';
import { rekeySignal } from '../../workflows/rekey';
import { startTimeSkippingSuite, type TimeSkippingSuite } from '../support/time-skipping';

const TZ = 'Europe/Zurich';
let suite: TimeSkippingSuite;
beforeAll(async () => {
  suite = await startTimeSkippingSuite({ realRetention: true });
});
afterAll(async () => {
  await suite?.stop();
});

const today = async () => localDay(new Date(await suite.env.currentTimeMs()), TZ);
async function skipTo(instant: Date) {
  const now = await suite.env.currentTimeMs();
  if (instant.getTime() > now) await suite.env.sleep(instant.getTime() - now);
}
const oneSecondBefore = (d: Date) => new Date(d.getTime() - 1000);

function retentionOf(kind: RecordKind, id: string): WorkflowHandle<typeof retention> {
  return suite.env.client.workflow.getHandle(retentionWorkflowId(kind, id));
}
async function until(handle: WorkflowHandle<typeof retention>, done: (s: RetentionState) => boolean): Promise<RetentionState> {
  for (let i = 0; i < 200; i++) {
    const s = await handle.query(retentionStateQuery).catch(() => null);
    if (s && done(s)) return s;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`retention state not reached: ${JSON.stringify(await handle.query(retentionStateQuery))}`);
}
async function startRetention(input: RetentionInput) {
  return suite.env.client.workflow.start<typeof retention>('retention', {
    taskQueue: suite.taskQueue,
    workflowId: retentionWorkflowId(input.recordKind, input.recordId),
    args: [input],
  });
}
const destruction = (kind: RecordKind, id: string) => suite.db.destructionRecord.findUnique({ where: { recordRef: recordRef(kind, id) } });

/** The first payload of a workflow's start event, decoded as the codec server would. */
async function decodeStartInput(workflowId: string) {
  const history = await suite.env.client.workflow.getHandle(workflowId).fetchHistory();
  const payload = history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!;
  const { keys, activeKeyId } = fixtureKeyring();
  const [opened] = await new AesGcmCodec(keys, activeKeyId).decode([payload]);
  return new DataKeyCodec(suite.dataKeys).decode([opened!]);
}

async function insertAccessRequestRow(eventDay: string) {
  const id = randomUUID();
  await suite.db.accessRequest.create({
    data: {
      id,
      canton: 'JU',
      unitId: 'SPOP',
      service: 'archives',
      citizenSub: `citizen-${id}`,
      filedBySub: `citizen-${id}`,
      avsNumber: '756.9217.0769.85',
      email: `${id.slice(0, 8)}@example.ch`,
      status: 'granted',
      requestedAt: new Date(),
      retentionEventDay: eventDay,
    },
  });
  return id;
}

/** A transaction with a file and a receipt in the inbox, as a submission leaves them. */
async function insertTransactionRows(eventDay: string) {
  const id = randomUUID();
  const citizenSub = `citizen-${id}`;
  await suite.db.transaction.create({
    data: {
      id,
      receiptNumber: `JU-2027-${id.slice(0, 6)}`,
      canton: 'JU',
      serviceId: 'archives',
      unitId: 'SPOP',
      citizenSub,
      filedBySub: citizenSub,
      status: 'accepted',
      form: { motif: 'Consultation' },
      submittedAt: new Date(),
      retentionEventDay: eventDay,
      attachments: {
        create: {
          id: randomUUID(),
          name: 'a.pdf',
          contentType: 'application/pdf',
          sizeBytes: 3,
          sha256: 'x',
          content: new Uint8Array([1, 2, 3]),
          addedAt: new Date(),
        },
      },
    },
  });
  await suite.db.inboxDocument.create({
    data: {
      id: `${id}:receipt`,
      ownerSub: citizenSub,
      transactionId: id,
      kind: 'receipt',
      title: 'Accusé',
      content: new Uint8Array([1]),
      sha256: 'x',
      createdAt: new Date(),
    },
  });
  return id;
}

describe('the last day, in calendar months (Art. 19)', () => {
  it('18 months from 31 August 2027 and 1 year from 29 February 2028 both end on 28 February 2029: kept through it, destroyed at 00:00:00 on 1 March', async () => {
    const requestId = await insertAccessRequestRow('2027-08-31');
    const transactionId = await insertTransactionRows('2027-08-31');
    const c = await insertContract(suite.db, { canton: 'JU' });
    const inputs: RetentionInput[] = [
      { recordKind: 'access-request', recordId: requestId, category: 'other-transaction', eventDay: '2027-08-31', canton: 'JU' },
      { recordKind: 'transaction', recordId: transactionId, category: 'other-transaction', eventDay: '2027-08-31', canton: 'JU' },
      { recordKind: 'contract', recordId: c.contractId, category: 'contract-evidence', eventDay: '2028-02-29', canton: 'JU' },
    ];
    for (const i of inputs) {
      expect(retentionEnd(i.category, i.eventDay, profiles.JU)).toBe('2029-02-28');
      await startRetention(i);
    }
    await skipTo(oneSecondBefore(endOfLocalDay('2029-02-28', TZ)));
    expect(await suite.db.accessRequest.findUnique({ where: { id: requestId } })).not.toBeNull();
    expect(await suite.db.contract.findUnique({ where: { id: c.contractId } })).not.toBeNull();
    expect(await retentionOf('access-request', requestId).query(retentionStateQuery)).toMatchObject({ state: 'kept', lastDay: '2029-02-28' });

    await skipTo(endOfLocalDay('2029-02-28', TZ));
    await until(retentionOf('access-request', requestId), (s) => s.state === 'destroyed');
    await until(retentionOf('contract', c.contractId), (s) => s.state === 'destroyed');
    await until(retentionOf('transaction', transactionId), (s) => s.state === 'destroyed');
    expect(await suite.db.accessRequest.findUnique({ where: { id: requestId } })).toBeNull();
    // A transaction goes with its files and the documents of the inbox it gave (Art. 18.1 c).
    expect(await destruction('transaction', transactionId)).toMatchObject({
      category: 'other-transaction',
      counts: { rows: { transaction: 1, transaction_attachment: 1, inbox_document: 1 } },
    });
    expect(await suite.db.inboxDocument.count({ where: { transactionId } })).toBe(0);
    expect(await suite.db.contract.findUnique({ where: { id: c.contractId } })).toBeNull();
    expect(await suite.db.registeredUser.findFirst({ where: { sub: c.sub } })).toBeNull();
    const record = await destruction('contract', c.contractId);
    expect(record).toMatchObject({
      recordKind: 'contract',
      category: 'contract-evidence',
      eventDay: '2028-02-29',
      lastDay: '2029-02-28',
      counts: { rows: { contract: 1, registered_user: 1 } },
    });
    expect(record!.legalBasis).toContain('Art. 18 al. 1 let. a');
    expect(record!.destroyedAt.getTime()).toBeGreaterThanOrEqual(endOfLocalDay('2029-02-28', TZ).getTime());
    // No personal data in it: not the id, not the e-mail, not the name.
    const stored = JSON.stringify(record, (_k, v) => (typeof v === 'bigint' ? String(v) : v));
    for (const secret of [c.contractId, c.email, c.sub, 'Contrat']) expect(stored).not.toContain(secret);
  });
});

describe('an "other transaction" (Art. 18.1 c)', () => {
  it('is destroyed the day after 18 months and not a day before; its history is unreadable after, and says why', async () => {
    const requestId = randomUUID();
    const input: AccessRequestInput = {
      requestId,
      canton: 'JU',
      unitId: 'SPOP',
      service: 'archives',
      citizenSub: `citizen-${requestId}`,
      filedBySub: `citizen-${requestId}`,
      filedByRole: 'citizen',
      applicant: personalData('access-request', requestId, { avsNumber: '756.9217.0769.85', email: 'jeanne.citoyenne@example.ch' }),
      requestedAt: new Date(await suite.env.currentTimeMs()).toISOString(),
    };
    const workflowId = accessRequestWorkflowId(requestId);
    const handle = await suite.env.client.workflow.start<typeof accessRequest>('accessRequest', { taskQueue: suite.taskQueue, workflowId, args: [input] });
    await handle.executeUpdate(decideUpdate, { args: [{ outcome: 'grant', decidedBySub: 'agent-spop', decidedAt: new Date().toISOString() }] });
    const day = await today();
    const s = await until(retentionOf('access-request', requestId), () => true);
    const lastDay = retentionEnd('other-transaction', day, profiles.JU);
    expect(s).toMatchObject({ eventDay: day, lastDay, state: 'kept' });
    // Before: readable (under its own data key), with the person's data.
    expect(JSON.parse(Buffer.from((await decodeStartInput(workflowId))[0]!.data!).toString()).applicant.email).toBe('jeanne.citoyenne@example.ch');

    await skipTo(oneSecondBefore(endOfLocalDay(lastDay, TZ)));
    expect(await suite.db.accessRequest.findUnique({ where: { id: requestId } })).not.toBeNull();
    await skipTo(endOfLocalDay(lastDay, TZ));
    await until(retentionOf('access-request', requestId), (x) => x.state === 'destroyed');
    expect(await suite.db.accessRequest.findUnique({ where: { id: requestId } })).toBeNull();
    expect(await destruction('access-request', requestId)).toMatchObject({
      category: 'other-transaction',
      lastDay,
      counts: { rows: { access_request: 1 }, dataKeys: 1 },
    });
    // After: the history is still there, its personal data unreadable, for a clear reason.
    await expect(decodeStartInput(workflowId)).rejects.toBeInstanceOf(KeyDestroyedError);
    await expect(decodeStartInput(workflowId)).rejects.toThrow(/key destroyed: the personal data of access-request:.* was destroyed on .* \(Art. 19\)/);
  });
});

describe("a decision's records (Art. 18.1 b)", () => {
  it('are kept 2 years, and longer while a legal hold is active; destroyed once it is lifted', async () => {
    const user = await insertUser(suite.db);
    const unitId = await insertUnit(suite.db);
    const decisionId = await insertDecision(suite.db, { unitId, recipientSub: user.sub });
    const day = await today();
    const handle = await startRetention({ recordKind: 'decision', recordId: decisionId, category: 'decision-service', eventDay: day, canton: 'JU' });
    const lastDay = retentionEnd('decision-service', day, profiles.JU);
    expect(lastDay.slice(0, 4)).toBe(String(Number(day.slice(0, 4)) + 2));

    // Litigation: a hold, placed before the end.
    const holdId = randomUUID();
    await suite.db.legalHold.create({
      data: { id: holdId, recordKind: 'decision', recordId: decisionId, reason: 'recours pendant', placedBy: 'staff', placedRole: 'chancellery' },
    });
    await suite.retention.holdsChanged('decision', decisionId);
    await skipTo(endOfLocalDay(lastDay, TZ));
    await until(handle, (s) => s.state === 'on-hold');
    await skipTo(endOfLocalDay(addDays(lastDay, 200), TZ));
    expect(await handle.query(retentionStateQuery)).toMatchObject({ state: 'on-hold', holds: 1 });
    expect(await suite.db.decision.findUnique({ where: { id: decisionId } })).not.toBeNull();

    await suite.db.legalHold.update({ where: { id: holdId }, data: { liftedAt: new Date(), liftedBy: 'staff' } });
    await suite.retention.holdsChanged('decision', decisionId);
    await until(handle, (s) => s.state === 'destroyed');
    expect(await suite.db.decision.findUnique({ where: { id: decisionId } })).toBeNull();
    expect(await destruction('decision', decisionId)).toMatchObject({ category: 'decision-service', counts: { rows: { decision: 1 } } });
  });
});

describe('contract evidence (Art. 18.1 a)', () => {
  it('is destroyed 1 year after the contract ends: contract, acceptances, user register entry; its workflow history unreadable', async () => {
    const c = await insertContract(suite.db, { canton: 'JU' });
    const day0 = await today();
    const handle = await suite.env.client.workflow.start<typeof contract>('contract', {
      taskQueue: suite.taskQueue,
      workflowId: contractWorkflowId(c.contractId),
      args: [{ contractId: c.contractId, canton: 'JU', startedOn: day0, termsVersion: 'CG-2013-1' }],
    });
    const terms = await insertTermsVersion(suite.db, { canton: 'JU', effectiveOn: day0, acceptanceDays: 10 });
    await handle.signal(termsPublishedSignal, terms.notice);
    for (let i = 0; i < 100 && !(await handle.query(contractStateQuery)).pendingTerms; i++) await new Promise((r) => setTimeout(r, 25));
    await handle.executeUpdate(acceptTermsUpdate, { args: [personalData('contract', c.contractId, qesFor(terms, c.sub))] });
    await handle.executeUpdate(terminateUpdate, { args: [{ by: 'staff', reasons: ['usage abusif'] }] });
    const endedOn = await today();
    const r = await until(retentionOf('contract', c.contractId), () => true);
    const lastDay = retentionEnd('contract-evidence', endedOn, profiles.JU);
    expect(r).toMatchObject({ category: 'contract-evidence', eventDay: endedOn, lastDay });

    await skipTo(oneSecondBefore(endOfLocalDay(lastDay, TZ)));
    expect(await suite.db.termsAcceptance.count({ where: { contractId: c.contractId } })).toBe(1);
    await skipTo(endOfLocalDay(lastDay, TZ));
    await until(retentionOf('contract', c.contractId), (s) => s.state === 'destroyed');
    expect(await suite.db.contract.findUnique({ where: { id: c.contractId } })).toBeNull();
    expect(await suite.db.termsAcceptance.count({ where: { contractId: c.contractId } })).toBe(0);
    expect(await suite.db.registeredUser.findFirst({ where: { sub: c.sub } })).toBeNull();
    // The acceptance (a QES, with the signer's certificate) went through the history under the contract's key.
    const history = await handle.fetchHistory();
    const accepted = history.events!.find((e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name === 'acceptTerms');
    const payload = accepted!.workflowExecutionUpdateAcceptedEventAttributes!.acceptedRequest!.input!.args!.payloads![0]!;
    const { keys, activeKeyId } = fixtureKeyring();
    const [opened] = await new AesGcmCodec(keys, activeKeyId).decode([payload]);
    await expect(new DataKeyCodec(suite.dataKeys).decode([opened!])).rejects.toBeInstanceOf(KeyDestroyedError);
    // Nothing else broke: the application (another record, its own retention) is still there.
    expect(await suite.db.onboardingApplication.findUnique({ where: { id: c.applicationId } })).not.toBeNull();
  });
});

// ── what outlives its record (Art. 18.1 b, 19) ──────────────────────────────────────────

/** Every audit and outbox row, as the text of all its columns, that contains one of the needles. */
async function rowsContaining(needles: string[]): Promise<Array<{ table: string; row: string }>> {
  const rows = await suite.db.$queryRaw<Array<{ table: string; row: string }>>`
    SELECT 'audit_log' AS table, to_jsonb(a)::text AS row FROM audit_log a
    UNION ALL SELECT 'mail_outbox', to_jsonb(m)::text FROM mail_outbox m`;
  return rows.filter((r) => needles.some((n) => r.row.includes(n)));
}

describe('what outlives its record (Art. 18.1 b, 19)', () => {
  it('the consent a decision went through the counter under outlives the contract while the decision is kept or held, and goes with it; the audit and outbox rows lose the person', async () => {
    const c = await insertContract(suite.db, { canton: 'JU' });
    const unitId = await insertUnit(suite.db);
    const db = suite.db;
    // The consent and what the API writes with it (Art. 16.1).
    const consentId = randomUUID();
    await db.serviceConsent.create({
      data: { id: consentId, userSub: c.sub, unitId, domain: 'population', grantedAt: new Date(), evidence: { role: 'citizen' } },
    });
    await writeAudit(db, {
      actorRole: 'citizen',
      actorSub: c.sub,
      requestId: 'req-consent',
      action: 'consent.granted',
      recordType: 'service-consent',
      recordId: consentId,
    });
    // The contract's own trail: the user's notice, a counsellor acting for the user, a mail the relay refused quoting the address.
    await writeAudit(db, {
      actorRole: 'citizen',
      actorSub: c.sub,
      requestId: 'req-notice',
      action: 'contract.notice',
      recordType: 'contract',
      recordId: c.contractId,
    });
    await writeAudit(db, {
      actorRole: 'counsellor',
      actorSub: 'counsellor-7',
      onBehalfOf: c.sub,
      action: 'contract.viewed',
      recordType: 'contract',
      recordId: c.contractId,
    });
    await db.mailOutbox.create({
      data: {
        id: `${c.contractId}:step-1`,
        template: 'contract-restricted',
        recordType: 'contract',
        recordId: c.contractId,
        rejectedAt: new Date(),
        rejection: `550 5.1.1 <${c.email}> unknown`,
      },
    });

    // Served through the counter (the real decision-service workflow) and opened in time.
    const decisionId = await insertDecision(db, { unitId, recipientSub: c.sub });
    await writeAudit(db, {
      actorRole: 'unit',
      actorSub: `agent-${unitId}`,
      requestId: 'req-unit',
      action: 'decision.submitted',
      recordType: 'decision',
      recordId: decisionId,
    });
    const service = await suite.env.client.workflow.start<typeof decisionService>('decisionService', {
      taskQueue: suite.taskQueue,
      workflowId: decisionServiceWorkflowId(decisionId),
      args: [{ decisionId, canton: 'JU', unitId, remedyDays: 30, provisionalMeasure: false }],
    });
    for (let i = 0; i < 200 && (await service.query(serviceStateQuery)).state !== 'awaiting-opening'; i++) await new Promise((r) => setTimeout(r, 25));
    const opened = await service.executeUpdate(openUpdate);
    expect(opened).toMatchObject({ state: 'served', rule: 'opened in time' });
    await writeAudit(db, {
      actorRole: 'citizen',
      actorSub: c.sub,
      requestId: 'req-open',
      action: 'decision.opened',
      recordType: 'decision',
      recordId: decisionId,
    });
    // Which consent it went through the counter under is recorded with it.
    expect(await db.decision.findUniqueOrThrow({ where: { id: decisionId } })).toMatchObject({ channel: 'electronic', consentId });
    const decisionRetention = await until(retentionOf('decision', decisionId), () => true);

    // The contract ends today: its evidence is kept a year, the decision's records two.
    const endedOn = await today();
    await startRetention({
      recordKind: 'contract',
      recordId: c.contractId,
      category: 'contract-evidence',
      eventDay: endedOn,
      canton: 'JU',
    });
    const contractLastDay = retentionEnd('contract-evidence', endedOn, profiles.JU);
    expect(decisionRetention.lastDay > contractLastDay).toBe(true);

    await skipTo(endOfLocalDay(contractLastDay, TZ));
    await until(retentionOf('contract', c.contractId), (s) => s.state === 'destroyed');
    expect(await db.registeredUser.findFirst({ where: { sub: c.sub } })).toBeNull();
    // The consent is not: the decision it served is still kept, and it is its evidence.
    expect(await db.serviceConsent.findUnique({ where: { id: consentId } })).toMatchObject({ userSub: c.sub, unitId, domain: 'population' });
    expect(await destruction('contract', c.contractId)).toMatchObject({
      counts: { rows: { contract: 1, registered_user: 1 }, scrubbed: { audit_log: 2, mail_outbox: 1 }, kept: { service_consent: 1 }, dataKeys: 1 },
    });
    expect((await destruction('contract', c.contractId))!.counts).not.toHaveProperty('rows.service_consent');
    // The contract's rows keep what happened, not who: the sub is left only where the kept consent and decision are named.
    const contractRows = await db.auditLog.findMany({
      where: { recordType: 'contract', recordId: c.contractId, action: { in: ['contract.notice', 'contract.viewed'] } },
    });
    expect(contractRows.map((a) => [a.action, a.actorSub, a.onBehalfOf, a.requestId])).toEqual([
      ['contract.notice', ERASED, null, null],
      ['contract.viewed', 'counsellor-7', ERASED, null],
    ]);
    expect(await db.mailOutbox.findUniqueOrThrow({ where: { id: `${c.contractId}:step-1` } })).toMatchObject({
      rejection: ERASED,
      rejectedAt: expect.any(Date),
    });
    const stillNamed = (await rowsContaining([c.sub, c.email])).map((r) => JSON.parse(r.row) as { record_type: string; record_id: string; action: string });
    expect(stillNamed.map((r) => `${r.record_type}:${r.action}`).sort()).toEqual(['decision:decision.opened', 'service-consent:consent.granted']);

    // Litigation: a hold keeps the decision, and with it the consent, past the two years.
    const holdId = randomUUID();
    await db.legalHold.create({
      data: { id: holdId, recordKind: 'decision', recordId: decisionId, reason: 'recours pendant', placedBy: 'jurist-1', placedRole: 'chancellery' },
    });
    await suite.retention.holdsChanged('decision', decisionId);
    await skipTo(endOfLocalDay(decisionRetention.lastDay, TZ));
    await until(retentionOf('decision', decisionId), (s) => s.state === 'on-hold');
    await skipTo(endOfLocalDay(addDays(decisionRetention.lastDay, 100), TZ));
    expect(await retentionOf('decision', decisionId).query(retentionStateQuery)).toMatchObject({ state: 'on-hold', holds: 1 });
    expect(await db.decision.findUnique({ where: { id: decisionId } })).not.toBeNull();
    expect(await db.serviceConsent.findUnique({ where: { id: consentId } })).not.toBeNull();

    // Lifted: the decision goes, and the consent with it, its last record.
    await db.legalHold.update({ where: { id: holdId }, data: { liftedAt: new Date(), liftedBy: 'jurist-1' } });
    await suite.retention.holdsChanged('decision', decisionId);
    await until(retentionOf('decision', decisionId), (s) => s.state === 'destroyed');
    expect(await db.decision.findUnique({ where: { id: decisionId } })).toBeNull();
    expect(await db.serviceConsent.findUnique({ where: { id: consentId } })).toBeNull();
    const record = await destruction('decision', decisionId);
    expect(record).toMatchObject({ counts: { rows: { decision: 1, service_consent: 1 }, scrubbed: { audit_log: 2, mail_outbox: 0 }, dataKeys: 1 } });
    expect(record!.counts).not.toHaveProperty('kept');
    // No audit or outbox row names the person any more; what happened is all still there.
    expect(await rowsContaining([c.sub, c.email])).toEqual([]);
    const decisionRows = await db.auditLog.findMany({ where: { recordType: 'decision', recordId: decisionId }, orderBy: { id: 'asc' } });
    expect(decisionRows.map((a) => a.action)).toEqual(
      expect.arrayContaining(['decision.submitted', 'decision.communicated', 'decision.served', 'decision.opened']),
    );
    expect(decisionRows.find((a) => a.action === 'decision.submitted')).toMatchObject({ actorSub: `agent-${unitId}`, requestId: 'req-unit' });
    expect(decisionRows.find((a) => a.action === 'decision.opened')).toMatchObject({ actorRole: 'citizen', actorSub: ERASED, requestId: null });
    expect(await db.auditLog.findFirst({ where: { recordType: 'service-consent', recordId: consentId } })).toMatchObject({
      action: 'consent.granted',
      actorSub: ERASED,
    });
    // The destruction records hold counts, no personal data.
    for (const r of [record, await destruction('contract', c.contractId)]) {
      const stored = JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? String(v) : v));
      for (const secret of [c.sub, c.email, consentId, decisionId, c.contractId]) expect(stored).not.toContain(secret);
    }
  });

  it('a consent whose decision is destroyed first stays while the user is in the register, and goes with the contract evidence', async () => {
    const c = await insertContract(suite.db, { canton: 'JU' });
    const unitId = await insertUnit(suite.db);
    const consentId = randomUUID();
    await suite.db.serviceConsent.create({ data: { id: consentId, userSub: c.sub, unitId, domain: 'population', grantedAt: new Date(), evidence: {} } });
    const decisionId = await insertDecision(suite.db, { unitId, recipientSub: c.sub });
    await suite.db.decision.update({ where: { id: decisionId }, data: { channel: 'electronic', state: 'served', consentId } });
    // A decision that went by post after the alert was refused names the consent checked, but did not go through the counter under it.
    const byPost = await insertDecision(suite.db, { unitId, recipientSub: c.sub });
    await suite.db.decision.update({ where: { id: byPost }, data: { channel: 'postal', state: 'served', consentId, postalReason: 'alert-undeliverable' } });
    const day = await today();
    await startRetention({ recordKind: 'decision', recordId: decisionId, category: 'decision-service', eventDay: day, canton: 'JU' });
    await skipTo(endOfLocalDay(retentionEnd('decision-service', day, profiles.JU), TZ));
    await until(retentionOf('decision', decisionId), (s) => s.state === 'destroyed');
    expect(await destruction('decision', decisionId)).toMatchObject({ counts: { rows: { decision: 1 } } });
    expect((await destruction('decision', decisionId))!.counts).not.toHaveProperty('rows.service_consent');
    expect(await suite.db.serviceConsent.findUnique({ where: { id: consentId } })).not.toBeNull();

    const endedOn = await today();
    await startRetention({ recordKind: 'contract', recordId: c.contractId, category: 'contract-evidence', eventDay: endedOn, canton: 'JU' });
    await skipTo(endOfLocalDay(retentionEnd('contract-evidence', endedOn, profiles.JU), TZ));
    await until(retentionOf('contract', c.contractId), (s) => s.state === 'destroyed');
    expect(await suite.db.serviceConsent.findUnique({ where: { id: consentId } })).toBeNull();
    expect(await destruction('contract', c.contractId)).toMatchObject({ counts: { rows: { contract: 1, registered_user: 1, service_consent: 1 } } });
    expect((await destruction('contract', c.contractId))!.counts).not.toHaveProperty('kept');
    expect(await suite.db.decision.findUnique({ where: { id: byPost } })).not.toBeNull();
  });
});

describe('the audit log stays append-only', () => {
  /** Runs the statements in one transaction with the scrub flag on, as if a client had set it itself. */
  const withFlag = (...sql: string[]) =>
    suite.db.$transaction(async (tx) => {
      await tx.$queryRawUnsafe(`SELECT set_config('guichet.audit_log_scrub', 'on', true)`);
      for (const s of sql) await tx.$executeRawUnsafe(s);
    });

  it("refuses every UPDATE and DELETE but audit_log_scrub()'s erasure of the identifiers, which changes nothing else", async () => {
    const recordId = randomUUID();
    await writeAudit(suite.db, {
      actorRole: 'citizen',
      actorSub: 'citizen-x',
      requestId: 'req-x',
      action: 'decision.opened',
      recordType: 'decision',
      recordId,
      workflowId: 'wf-x',
    });
    await writeAudit(suite.db, { actorRole: 'unit', actorSub: 'agent-x', requestId: 'req-y', action: 'decision.submitted', recordType: 'decision', recordId });
    const before = await suite.db.auditLog.findMany({ where: { recordId }, orderBy: { id: 'asc' } });
    const where = `WHERE record_id = '${recordId}'`;

    await expect(suite.db.auditLog.updateMany({ where: { recordId }, data: { actorSub: ERASED } })).rejects.toThrow(/append-only/);
    await expect(suite.db.auditLog.deleteMany({ where: { recordId } })).rejects.toThrow(/append-only/);
    for (const change of [
      `UPDATE audit_log SET action = 'decision.forged' ${where}`,
      `UPDATE audit_log SET actor_sub = 'someone-else' ${where}`,
      `UPDATE audit_log SET actor_sub = '${ERASED}', record_id = 'elsewhere' ${where}`,
      `UPDATE audit_log SET actor_sub = '${ERASED}', at = now() ${where}`,
      `UPDATE audit_log SET request_id = 'req-forged' ${where}`,
      `UPDATE audit_log SET on_behalf_of = 'citizen-y' ${where}`,
      `DELETE FROM audit_log ${where}`,
    ])
      await expect(withFlag(change)).rejects.toThrow(/append-only/);
    // The flag is the function's own: it is off again once it returns.
    await expect(
      suite.db.$transaction(async (tx) => {
        await scrubAudit(tx, [{ recordType: 'decision', recordId }], []);
        await tx.$executeRawUnsafe(`UPDATE audit_log SET action = 'decision.forged' ${where}`);
      }),
    ).rejects.toThrow(/append-only/);
    expect(await suite.db.auditLog.findMany({ where: { recordId }, orderBy: { id: 'asc' } })).toEqual(before);

    expect(await scrubAudit(suite.db, [{ recordType: 'decision', recordId }], [])).toBe(1);
    expect(await scrubAudit(suite.db, [{ recordType: 'decision', recordId }], [])).toBe(0);
    expect(await suite.db.auditLog.findMany({ where: { recordId }, orderBy: { id: 'asc' } })).toEqual([
      { ...before[0], actorSub: ERASED, requestId: null },
      before[1],
    ]);
  });
});

describe('a payload key rotation (workflows/rekey.ts)', () => {
  it("makes a kept record's retention continue as new with the same last day, still kept", async () => {
    const input: RetentionInput = { recordKind: 'decision', recordId: randomUUID(), category: 'decision-service', eventDay: await today(), canton: 'JU' };
    await startRetention(input);
    const handle = retentionOf('decision', input.recordId);
    const kept = await until(handle, (s) => s.state === 'kept');
    const firstRunId = (await handle.describe()).runId;
    await handle.signal(rekeySignal);
    const runOf = async () => (await handle.describe()).runId;
    expect(await waitFor(runOf, (r) => r !== firstRunId)).not.toBe(firstRunId);
    expect(await until(handle, (s) => s.state === 'kept')).toEqual(kept);
    await recordHistory('retention-rekeyed', suite.env.client.workflow.getHandle(handle.workflowId, firstRunId));
  });
});
