// The contract lifecycle (Art. 5-7, 10) on the time-skipping server: months pass in
// milliseconds, against real PostgreSQL and a real SMTP server. Contracts here are of the
// JU profile (a QES acceptance, 30 days restricted before the block, one month's notice),
// but for the last part: NE's terms changes are communicated, not accepted (NE 9).
import { WorkflowNotFoundError, type WorkflowHandle } from '@temporalio/client';
import { addDays, addMonths, endOfLocalDay, localDay } from '../../domain/days';
import { profiles, type CantonCode } from '../../domain/profiles';
import {
  acceptTermsUpdate,
  blockUpdate,
  cancelNoticeUpdate,
  contractStateQuery,
  contractWorkflowId,
  giveNoticeUpdate,
  refuseTermsUpdate,
  reportMisuseUpdate,
  termsPublishedSignal,
  terminateUpdate,
  unblockUpdate,
} from '../../workflows/contract/definitions';
import type { ContractState } from '../../workflows/contract/types';
import type { contract } from '../../workflows/contract/workflow';
import { claimTaskUpdate, completeTaskUpdate, type TaskCompletion } from '../../workflows/task/definitions';
import { insertContract, insertTermsVersion, qesFor, type TestContract } from '../support/contracts';
import { recordHistory } from '../support/histories';
import { waitFor } from '../support/stack';
import { rekeySignal } from '../../workflows/rekey';
import { rejection } from '../support/updates';
import { startTimeSkippingSuite, type TimeSkippingSuite } from '../support/time-skipping';

const JU = profiles.JU;
const TZ = JU.timeZone;
const STAFF = 'staff-chancellery-1';

let suite: TimeSkippingSuite;
let env: TimeSkippingSuite['env'];
let db: TimeSkippingSuite['db'];
let adapters: TimeSkippingSuite['adapters'];

beforeAll(async () => {
  suite = await startTimeSkippingSuite();
  ({ env, db, adapters } = suite);
});
afterAll(async () => {
  await suite?.stop();
});

type Handle = WorkflowHandle<typeof contract>;

async function startContract(opts: { historyLimit?: number; canton?: CantonCode; ruleSetId?: string } = {}): Promise<TestContract & { handle: Handle }> {
  const canton = opts.canton ?? 'JU';
  const c = await insertContract(db, { canton });
  const handle = await env.client.workflow.start<typeof contract>('contract', {
    taskQueue: suite.taskQueue,
    workflowId: contractWorkflowId(c.contractId),
    args: [
      {
        contractId: c.contractId,
        canton,
        ruleSetId: opts.ruleSetId,
        startedOn: await today(),
        termsVersion: 'CG-2013-1',
        historyLimit: opts.historyLimit,
      },
    ],
  });
  return { ...c, handle };
}

const today = async () => localDay(new Date(await env.currentTimeMs()), TZ);
/** Moves the server's clock to `instant` (timers due by then fire). */
async function skipTo(instant: Date): Promise<void> {
  const now = await env.currentTimeMs();
  if (instant.getTime() > now) await env.sleep(instant.getTime() - now);
}
const startOfDay = (day: string) => endOfLocalDay(addDays(day, -1), TZ);

async function until(handle: Handle, done: (s: ContractState) => boolean): Promise<ContractState> {
  for (let i = 0; i < 200; i++) {
    const s = await handle.query(contractStateQuery);
    if (done(s)) return s;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`state not reached: ${JSON.stringify(await handle.query(contractStateQuery))}`);
}
const dbContract = (id: string) => db.contract.findUniqueOrThrow({ where: { id } });
/** The query answers from the workflow's facts at once; the database and the e-mail follow within the activity. */
async function settled(id: string, status: string, mails: number, email: string) {
  for (let i = 0; i < 200; i++) {
    const row = await dbContract(id);
    if (row.status === status && subjectsTo(email).length >= mails) return row;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`contract ${id} not ${status} with ${mails} e-mails: ${(await dbContract(id)).status}, ${JSON.stringify(subjectsTo(email))}`);
}
const subjectsTo = (email: string) => adapters.mail.messages.filter((m) => m.to.includes(email)).map((m) => m.subject);

async function withPendingTerms(acceptanceDays: number) {
  const t0 = await today();
  const terms = await insertTermsVersion(db, { canton: 'JU', effectiveOn: t0, acceptanceDays });
  return { t0, terms };
}
async function publishTo(c: { handle: Handle }, notice: Awaited<ReturnType<typeof insertTermsVersion>>['notice']) {
  await c.handle.signal(termsPublishedSignal, notice);
  return until(c.handle, (s) => s.pendingTerms?.version === notice.version);
}

describe('a new terms version (Art. 5.2)', () => {
  it('accepted on the last day keeps access; not accepted: restricted at 00:00:00, blocked 30 days later, each e-mailed; a late acceptance restores access', async () => {
    const { t0, terms } = await withPendingTerms(10);
    const lastDay = addDays(t0, 9);
    const a = await startContract();
    const b = await startContract();
    await publishTo(a, terms.notice);
    await publishTo(b, terms.notice);

    // 23:59:30 on the last day of the acceptance period (slack for a loaded machine: the
    // server's clock runs on while the Update is processed).
    await skipTo(new Date(endOfLocalDay(lastDay, TZ).getTime() - 30_000));
    const accepted = await a.handle.executeUpdate(acceptTermsUpdate, { args: [qesFor(terms, a.sub)] });
    expect(accepted).toMatchObject({ status: 'active', pendingTerms: null, acceptedTermsVersion: terms.version });
    expect(await db.termsAcceptance.findUnique({ where: { contractId_version: { contractId: a.contractId, version: terms.version } } })).toMatchObject({
      documentSha256: terms.sha256,
      acceptedBy: a.sub,
    });
    expect((await dbContract(a.contractId)).termsVersion).toBe(terms.version);
    expect((await dbContract(b.contractId)).status).toBe('active');

    // 00:00:00 the next day: B is restricted.
    await skipTo(startOfDay(addDays(t0, 10)));
    const restricted = await until(b.handle, (s) => s.status === 'restricted');
    expect(restricted.reason).toContain(`restricted since ${addDays(t0, 10)}`);
    expect(await settled(b.contractId, 'restricted', 1, b.email)).toMatchObject({ status: 'restricted', statusReason: expect.stringContaining('Art. 5.2') });
    expect(subjectsTo(b.email)).toEqual([expect.stringContaining('restreint')]);

    // Blocked from the 30th day of the restriction (JU profile), e-mailed; A untouched.
    await skipTo(new Date(startOfDay(addDays(t0, 40)).getTime() - 1000));
    expect((await dbContract(b.contractId)).status).toBe('restricted');
    await skipTo(startOfDay(addDays(t0, 40)));
    await until(b.handle, (s) => s.status === 'blocked');
    await settled(b.contractId, 'blocked', 2, b.email);
    expect(subjectsTo(b.email)).toEqual([expect.stringContaining('restreint'), expect.stringContaining('bloqué')]);
    expect(subjectsTo(a.email)).toEqual([]);
    expect((await dbContract(a.contractId)).status).toBe('active');

    const restored = await b.handle.executeUpdate(acceptTermsUpdate, { args: [qesFor(terms, b.sub)] });
    expect(restored).toMatchObject({ status: 'active', reason: null });
    expect((await dbContract(b.contractId)).status).toBe('active');
    expect(subjectsTo(b.email)).toHaveLength(3);
    expect(subjectsTo(b.email)[2]).toContain('rétabli');
    await recordHistory('contract-terms-restricted-blocked-accepted', b.handle);
  });

  it('takes only the version waiting: another one, or one accepted already, is refused', async () => {
    const { terms } = await withPendingTerms(10);
    const c = await startContract();
    expect(await rejection(c.handle.executeUpdate(acceptTermsUpdate, { args: [qesFor(terms, c.sub)] }))).toBe('TermsNotPending');
    await publishTo(c, terms.notice);
    expect(await rejection(c.handle.executeUpdate(acceptTermsUpdate, { args: [qesFor({ version: 'other', sha256: terms.sha256 }, c.sub)] }))).toBe(
      'TermsNotPending',
    );
    await c.handle.executeUpdate(acceptTermsUpdate, { args: [qesFor(terms, c.sub)] });
    // The same acceptance again (a retried request) answers the same state; the notice again changes nothing.
    expect(await c.handle.executeUpdate(acceptTermsUpdate, { args: [qesFor(terms, c.sub)] })).toMatchObject({ status: 'active', pendingTerms: null });
    await c.handle.signal(termsPublishedSignal, terms.notice);
    expect((await c.handle.query(contractStateQuery)).pendingTerms).toBeNull();
    expect(await db.termsAcceptance.count({ where: { contractId: c.contractId } })).toBe(1);
  });

  it('with no acceptance period restricts at once from the effective day', async () => {
    const { terms } = await withPendingTerms(0);
    const c = await startContract();
    await c.handle.signal(termsPublishedSignal, terms.notice);
    await until(c.handle, (s) => s.status === 'restricted');
    await settled(c.contractId, 'restricted', 1, c.email);
  });
});

describe('a refusal of the terms (Art. 5.3) goes to the Chancellery', () => {
  async function refused() {
    const { terms } = await withPendingTerms(10);
    const c = await startContract();
    await publishTo(c, terms.notice);
    const s = await c.handle.executeUpdate(refuseTermsUpdate, { args: [{ version: terms.version, by: c.sub }] });
    expect(s.task).toMatchObject({ kind: 'terms-refusal', status: 'open', claimedBy: null });
    const taskId = s.task!.taskId;
    expect(await db.task.findUniqueOrThrow({ where: { id: taskId } })).toMatchObject({
      kind: 'terms-refusal',
      status: 'open',
      contractId: c.contractId,
      applicationId: null,
    });
    await c.handle.executeUpdate(claimTaskUpdate, { args: [{ taskId, by: STAFF }] });
    const complete = (o: Record<string, unknown>) => c.handle.executeUpdate(completeTaskUpdate, { args: [{ taskId, by: STAFF, ...o } as TaskCompletion] });
    return { ...c, terms, taskId, complete };
  }

  it('agreed special clauses: recorded as an amendment, the contract active on those terms', async () => {
    const r = await refused();
    expect(await rejection(r.handle.executeUpdate(refuseTermsUpdate, { args: [{ version: r.terms.version, by: r.sub }] }))).toBe('TermsRefusalOpen');
    expect(await rejection(r.complete({ outcome: 'approve', justification: 'ok' }))).toBe('CompletionIncomplete');
    expect(await rejection(r.complete({ outcome: 'special-clauses', clauses: ['  '] }))).toBe('CompletionIncomplete');
    const s = (await r.complete({ outcome: 'special-clauses', clauses: ['Art. 12 CG ne s’applique pas à cet utilisateur.'] })) as ContractState;
    expect(s).toMatchObject({
      status: 'active',
      pendingTerms: null,
      acceptedTermsVersion: r.terms.version,
      specialClauses: ['Art. 12 CG ne s’applique pas à cet utilisateur.'],
      task: null,
    });
    expect(await db.contractAmendment.findUniqueOrThrow({ where: { taskId: r.taskId } })).toMatchObject({
      contractId: r.contractId,
      termsVersion: r.terms.version,
      agreedBy: STAFF,
    });
    expect(await db.task.findUniqueOrThrow({ where: { id: r.taskId } })).toMatchObject({ status: 'completed', outcome: 'special-clauses', completedBy: STAFF });
  });

  it('the block kept: blocked from today, whatever the schedule said', async () => {
    const r = await refused();
    const s = (await r.complete({ outcome: 'keep-blocked', justification: 'les CG sont obligatoires' })) as ContractState;
    expect(s.status).toBe('blocked');
    expect((await dbContract(r.contractId)).status).toBe('blocked');
  });

  it('revoked: the contract ends today, its workflow completes', async () => {
    const r = await refused();
    const d = await today();
    const s = (await r.complete({ outcome: 'revoke', reasons: ['refus des CG sans motif justifiant des clauses particulières'] })) as ContractState;
    expect(s).toMatchObject({ status: 'terminated', endedOn: d });
    expect(await r.handle.result()).toMatchObject({ status: 'terminated', endedOn: d });
    expect(await dbContract(r.contractId)).toMatchObject({ status: 'terminated', endedOn: d });
    expect(subjectsTo(r.email).at(-1)).toContain('Fin de votre contrat');
  });

  it('a refusal still open when the time passes: the restriction comes as scheduled, reminders go to the Chancellery', async () => {
    const r = await refused();
    await skipTo(startOfDay(addDays(await today(), 11)));
    const s = await until(r.handle, (x) => x.status === 'restricted' && (x.task?.remindersSent ?? 0) >= 3);
    expect(s.task).toMatchObject({ status: 'open', escalated: true });
  });
});

describe('blocking (Art. 7.2, 10.3)', () => {
  it('on a misuse report at once, provisionally by the Chancellery; lifted by the Chancellery', async () => {
    const c = await startContract();
    const s = await c.handle.executeUpdate(reportMisuseUpdate, { args: [{ by: c.sub }] });
    expect(s).toMatchObject({ status: 'blocked', blocks: [{ kind: 'misuse-reported' }] });
    expect(s.reason).toContain('Art. 7.2');
    expect(await dbContract(c.contractId)).toMatchObject({ status: 'blocked', statusReason: expect.stringContaining('Art. 7.2') });
    await c.handle.executeUpdate(blockUpdate, { args: [{ by: STAFF, reason: 'enquête en cours' }] });
    const lifted = await c.handle.executeUpdate(unblockUpdate, { args: [{ by: STAFF, justification: 'identifiants renouvelés' }] });
    expect(lifted).toMatchObject({ status: 'active', blocks: [] });
    expect(await rejection(c.handle.executeUpdate(unblockUpdate, { args: [{ by: STAFF, justification: 'encore' }] }))).toBe('NotApplicable');
    const blocked = await c.handle.executeUpdate(blockUpdate, { args: [{ by: STAFF, reason: 'usage abusif présumé' }] });
    expect(blocked.reason).toContain('Art. 10.3');
    expect(subjectsTo(c.email)).toEqual([expect.stringContaining('bloqué'), expect.stringContaining('rétabli'), expect.stringContaining('bloqué')]);
    const audit = await db.auditLog.findMany({ where: { recordType: 'contract', recordId: c.contractId }, orderBy: { id: 'asc' } });
    expect(audit.map((e) => e.action)).toEqual(['contract.report-misuse.blocked', 'contract.block', 'contract.unblock.active', 'contract.block.blocked']);
  });

  it('a block for unaccepted terms is not lifted by an unblock: only the acceptance lifts it', async () => {
    const { terms } = await withPendingTerms(0);
    const c = await startContract();
    await publishTo(c, terms.notice);
    await c.handle.executeUpdate(blockUpdate, { args: [{ by: STAFF, reason: 'vérification' }] });
    const s = await c.handle.executeUpdate(unblockUpdate, { args: [{ by: STAFF, justification: 'vérifié' }] });
    expect(s.status).toBe('restricted');
  });
});

describe('termination (Art. 10)', () => {
  it("by the user with one month's notice, cancellable until it ends; then it ends at the end of the last day", async () => {
    const c = await startContract();
    const d0 = await today();
    const s = await c.handle.executeUpdate(giveNoticeUpdate, { args: [{ by: c.sub }] });
    expect(s).toMatchObject({ status: 'terminating', noticeEndsOn: addMonths(d0, 1) });
    expect(await rejection(c.handle.executeUpdate(giveNoticeUpdate, { args: [{ by: c.sub }] }))).toBe('NotApplicable');
    expect(await c.handle.executeUpdate(cancelNoticeUpdate, { args: [{ by: c.sub }] })).toMatchObject({ status: 'active', noticeEndsOn: null });
    expect(await rejection(c.handle.executeUpdate(cancelNoticeUpdate, { args: [{ by: c.sub }] }))).toBe('NotApplicable');

    await skipTo(startOfDay(addDays(d0, 3)));
    const d1 = await today();
    const again = await c.handle.executeUpdate(giveNoticeUpdate, { args: [{ by: c.sub }] });
    const lastDay = addMonths(d1, 1);
    expect(again.noticeEndsOn).toBe(lastDay);
    expect((await dbContract(c.contractId)).noticeEndsOn).toBe(lastDay);

    await skipTo(new Date(endOfLocalDay(lastDay, TZ).getTime() - 1000));
    expect((await c.handle.describe()).status.name).toBe('RUNNING');
    expect((await dbContract(c.contractId)).status).toBe('terminating');
    await skipTo(endOfLocalDay(lastDay, TZ));
    expect(await c.handle.result()).toMatchObject({ status: 'terminated', endedOn: lastDay });
    expect(await dbContract(c.contractId)).toMatchObject({ status: 'terminated', endedOn: lastDay, noticeEndsOn: null });
    expect(subjectsTo(c.email)).toEqual([
      expect.stringContaining('Résiliation'),
      expect.stringContaining('rétabli'),
      expect.stringContaining('Résiliation'),
      expect.stringContaining('Fin de votre contrat'),
    ]);
    await recordHistory('contract-notice-cancelled-then-ended', c.handle);
  });

  it('by the Chancellery for abuse, at once; nothing is accepted after', async () => {
    const c = await startContract();
    const d = await today();
    const s = await c.handle.executeUpdate(terminateUpdate, { args: [{ by: STAFF, reasons: ['usage abusif répété'] }] });
    expect(s).toMatchObject({ status: 'terminated', endedOn: d });
    expect(await c.handle.result()).toMatchObject({ status: 'terminated', endedOn: d });
    // Its workflow has closed: the API answers 409 "this contract has ended".
    await expect(c.handle.executeUpdate(reportMisuseUpdate, { args: [{ by: c.sub }] })).rejects.toBeInstanceOf(WorkflowNotFoundError);
    expect((await dbContract(c.contractId)).endedOn).toBe(d);
  });
});

describe('continue-as-new', () => {
  it('keeps the history bounded and loses no event sent around the switch', async () => {
    const c = await startContract({ historyLimit: 40, ruleSetId: 'JU-GVS-2013' });
    const versions: string[] = [];
    const rounds = 12;
    for (let i = 1; i <= rounds; i++) {
      const version = `can-${i}`;
      versions.push(version);
      const t0 = await today();
      // A signal and two Updates back to back: some arrive while a run is handing over.
      await Promise.all([
        c.handle.signal(termsPublishedSignal, { version, sequence: 1_000_000 + i, effectiveOn: t0, restrictFrom: addDays(t0, 30), blockFrom: addDays(t0, 60) }),
        c.handle.executeUpdate(blockUpdate, { args: [{ by: STAFF, reason: `round ${i}` }] }),
      ]);
      await c.handle.executeUpdate(unblockUpdate, { args: [{ by: STAFF, justification: `round ${i}` }] });
    }
    const s = await until(c.handle, (x) => x.pendingTerms?.version === versions.at(-1));
    expect(s).toMatchObject({ status: 'active', blocks: [] });
    expect(s.runs).toBeGreaterThanOrEqual(3);
    const actions = (await db.auditLog.findMany({ where: { recordType: 'contract', recordId: c.contractId } })).map((e) => e.action);
    expect(actions.filter((a) => a.startsWith('contract.block')).length).toBe(rounds);
    expect(actions.filter((a) => a.startsWith('contract.unblock')).length).toBe(rounds);
    const latest = await c.handle.describe();
    expect(latest.historyLength).toBeLessThan(80);
    // Each run follows the rule set the contract started under (DOMAIN.md §6).
    expect(latest.searchAttributes).toMatchObject({ GvsRuleSet: ['JU-GVS-2013'] });
    // The state carried over: the last version is accepted in the latest run.
    const t = { version: versions.at(-1)!, sha256: 'a'.repeat(64) };
    expect(await c.handle.executeUpdate(acceptTermsUpdate, { args: [qesFor(t, c.sub)] })).toMatchObject({
      status: 'active',
      pendingTerms: null,
      acceptedTermsVersion: t.version,
    });
  });

  it('on `rekey` (a payload key rotation, workflows/rekey.ts), at once when quiet, carrying the pending terms and the block', async () => {
    const c = await startContract();
    const t0 = await today();
    await c.handle.signal(termsPublishedSignal, {
      version: 'rekey-1',
      sequence: 2_000_001,
      effectiveOn: t0,
      restrictFrom: addDays(t0, 30),
      blockFrom: addDays(t0, 60),
    });
    await c.handle.executeUpdate(blockUpdate, { args: [{ by: STAFF, reason: 'avant la rotation' }] });
    const before = await until(c.handle, (x) => x.pendingTerms?.version === 'rekey-1' && x.blocks.length === 1);
    const firstRunId = (await c.handle.describe()).runId;
    await c.handle.signal(rekeySignal);
    const runOf = async () => (await c.handle.describe()).runId;
    expect(await waitFor(runOf, (r) => r !== firstRunId)).not.toBe(firstRunId);
    expect(await c.handle.query(contractStateQuery)).toEqual({ ...before, runs: before.runs + 1 });
    await recordHistory('contract-rekeyed', env.client.workflow.getHandle(c.handle.workflowId, firstRunId));
  });
});

describe('a new terms version under a rule set that communicates it (NE 9)', () => {
  it('is recorded as communicated and binds the contract: nothing waits for acceptance, it stays active past the acceptance and restriction periods, no task opens', async () => {
    const t0 = await today();
    const terms = await insertTermsVersion(db, { canton: 'NE', effectiveOn: t0, acceptanceDays: 30 });
    const c = await startContract({ canton: 'NE', ruleSetId: profiles.NE.ruleSet.id });

    await c.handle.signal(termsPublishedSignal, terms.notice);
    const told = await until(c.handle, (s) => s.acceptedTermsVersion === terms.version);
    expect(told).toMatchObject({ status: 'active', reason: null, pendingTerms: null, task: null });

    // 70 days: past 30 days to accept and 30 days restricted, had it been the Jura scheme (Art. 5.2).
    await skipTo(startOfDay(addDays(t0, 70)));
    const later = await c.handle.query(contractStateQuery);
    expect(later).toMatchObject({ status: 'active', reason: null, pendingTerms: null, acceptedTermsVersion: terms.version, task: null, blocks: [] });
    expect((await dbContract(c.contractId)).status).toBe('active');
    expect(await db.task.count({ where: { contractId: c.contractId } })).toBe(0);
    expect(subjectsTo(c.email)).toEqual([]); // no restriction nor block to tell of
    expect(
      await db.auditLog.findFirst({ where: { recordType: 'contract', recordId: c.contractId, action: { startsWith: 'terms.communicated' } } }),
    ).toMatchObject({
      action: `terms.communicated.${terms.version}.from-${t0}`,
    });
    const { searchAttributes } = await c.handle.describe();
    expect(searchAttributes).toMatchObject({ GvsState: ['active'], GvsWaitingFor: ['none'], GvsTermsVersion: ['none'] });

    // The same notice again changes nothing; there is no version to refuse.
    await c.handle.signal(termsPublishedSignal, terms.notice);
    expect(await rejection(c.handle.executeUpdate(refuseTermsUpdate, { args: [{ version: terms.version, by: c.sub }] }))).toBe('TermsNotPending');
    expect(await c.handle.query(contractStateQuery)).toMatchObject({ status: 'active', pendingTerms: null, task: null });
    await recordHistory('contract-ne-terms-communicated', c.handle);
  });
});
