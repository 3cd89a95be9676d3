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
import { retentionStateQuery, retentionWorkflowId, type RecordKind, type RetentionInput, type RetentionState } from '../../workflows/retention/definitions';
import type { retention } from '../../workflows/retention/workflow';
import { insertContract, insertTermsVersion, qesFor } from '../support/contracts';
import { insertDecision, insertUnit, insertUser } from '../support/decisions';
import { fixtureKeyring } from '../support/histories';
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

describe('the last day, in calendar months (Art. 19)', () => {
  it('18 months from 31 August 2027 and 1 year from 29 February 2028 both end on 28 February 2029: kept through it, destroyed at 00:00:00 on 1 March', async () => {
    const requestId = await insertAccessRequestRow('2027-08-31');
    const c = await insertContract(suite.db, { canton: 'JU' });
    const inputs: RetentionInput[] = [
      { recordKind: 'access-request', recordId: requestId, category: 'other-transaction', eventDay: '2027-08-31', canton: 'JU' },
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
    expect(await suite.db.accessRequest.findUnique({ where: { id: requestId } })).toBeNull();
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
    const c = await insertContract(suite.db, { canton: 'NE' });
    const day0 = await today();
    const handle = await suite.env.client.workflow.start<typeof contract>('contract', {
      taskQueue: suite.taskQueue,
      workflowId: contractWorkflowId(c.contractId),
      args: [{ contractId: c.contractId, canton: 'NE', startedOn: day0, termsVersion: 'CG-2013-1' }],
    });
    const terms = await insertTermsVersion(suite.db, { effectiveOn: day0, acceptanceDays: 10 });
    await handle.signal(termsPublishedSignal, terms.notice);
    for (let i = 0; i < 100 && !(await handle.query(contractStateQuery)).pendingTerms; i++) await new Promise((r) => setTimeout(r, 25));
    await handle.executeUpdate(acceptTermsUpdate, { args: [personalData('contract', c.contractId, qesFor(terms, c.sub))] });
    await handle.executeUpdate(terminateUpdate, { args: [{ by: 'staff', reasons: ['usage abusif'] }] });
    const endedOn = await today();
    const r = await until(retentionOf('contract', c.contractId), () => true);
    const lastDay = retentionEnd('contract-evidence', endedOn, profiles.NE);
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
