// The user contract (Art. 5-7, 10), from admission to its end: terms versions to accept,
// restriction then blocking when they are not (Art. 5.2), a refusal handed to the
// Chancellery (Art. 5.3) — or, where the rule set only communicates them (NE 9), recorded
// as communicated and nothing else — blocks for misuse (Art. 7.2) or as a provisional measure
// (Art. 10.3), termination by notice (Art. 10.1) or for abuse (Art. 10.2).
// Every event goes through one queue, applied in order by one loop; Updates answer once
// theirs is applied. The history stays bounded: the loop continues as new at a quiet point,
// carrying the facts and any event not applied yet.
import { allHandlersFinished, condition, continueAsNew, patched, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { contractStatus, mergePendingTerms, noticeLastDay, statusReason, type ContractStatus } from '../../domain/contract';
import { addDays, endOfLocalDay, localDay } from '../../domain/days';
import { activitiesWith, markState, ruleSetOf } from '../common';
import { personalData } from '../personal-data';
import { rekeySignal } from '../rekey';
import { GvsCanton, GvsProcess, GvsTermsVersion } from '../search-attributes';
import { blockLiftedByDecisionSignal } from '../formal-decision/definitions';
import type { TaskCompletion, TaskView } from '../task/definitions';
import { handleTaskUpdates, reject, runHumanTask } from '../task/human-task';
import {
  acceptTermsUpdate,
  blockUpdate,
  cancelNoticeUpdate,
  CONTRACT_PROCESS,
  ContractRejections,
  contractStateQuery,
  contractWorkflowId,
  giveNoticeUpdate,
  refuseTermsUpdate,
  reportMisuseUpdate,
  termsPublishedSignal,
  termsRefusalTaskId,
  terminateUpdate,
  unblockUpdate,
} from './definitions';
import type { ContractEvent, ContractInput, ContractMemory, ContractState } from './types';

const acts = activitiesWith({ startToCloseTimeout: '1 minute', initialInterval: '2 seconds', maximumInterval: '10 minutes' });

/** Well under Temporal's 50,000-event limit; the server's own suggestion comes first. */
const DEFAULT_HISTORY_LIMIT = 2000;

/** Events that change nothing worth a database write unless the status changes with them. */
const QUIET: ReadonlySet<ContractEvent['kind'] | 'clock'> = new Set(['terms-published', 'refuse-terms', 'clock']);

export async function contract(input: ContractInput): Promise<ContractState> {
  const profile = ruleSetOf(input);
  const tz = profile.timeZone;
  const { contractId } = input;
  const workflowId = contractWorkflowId(contractId);
  const historyLimit = input.historyLimit ?? DEFAULT_HISTORY_LIMIT;
  const today = () => localDay(new Date(Date.now()), tz);

  const m: ContractMemory = input.memory ?? {
    facts: { endedOn: null, noticeEndsOn: null, blocks: [], pendingTerms: null },
    acceptedTermsVersion: input.termsVersion,
    termsSequence: 0,
    specialClauses: [],
    refusals: 0,
    step: 0,
    recorded: { status: 'active', reason: null },
    queue: input.pendingTerms ? [{ kind: 'terms-published', notice: input.pendingTerms }] : [],
    runs: 0,
  };
  m.runs += 1;
  let task: TaskView | null = null;
  let taskCompleted = false;
  // Tickets: an Update waits until the loop has applied its event.
  let received = m.queue.length;
  let applied = 0;
  let marked: { state: string; waitingFor: string; terms: string } | null = null;

  const f = m.facts;
  // Block reasons, special clauses: the user's personal data, under the contract's data key.
  const state = (): ContractState =>
    personalData('contract', contractId, {
      contractId,
      status: contractStatus(f, today()),
      reason: statusReason(f, today()),
      acceptedTermsVersion: m.acceptedTermsVersion,
      pendingTerms: f.pendingTerms && { ...f.pendingTerms },
      blocks: f.blocks.map((b) => ({ ...b })),
      noticeEndsOn: f.noticeEndsOn,
      endedOn: f.endedOn,
      specialClauses: [...m.specialClauses],
      task: task && { ...task },
      runs: m.runs,
    });
  const enqueue = (e: ContractEvent) => {
    m.queue.push(e);
    return ++received;
  };
  const appliedThen = async (ticket: number) => {
    await condition(() => applied >= ticket);
    return state();
  };
  const submit = (e: ContractEvent) => appliedThen(enqueue(e));
  const notEnded = () => {
    if (f.endedOn) throw reject(ContractRejections.ended, `the contract ended on ${f.endedOn}`);
  };

  setHandler(contractStateQuery, state);
  setHandler(termsPublishedSignal, (notice) => {
    enqueue({ kind: 'terms-published', notice });
  });
  setHandler(
    acceptTermsUpdate,
    async (acceptance) => (acceptance.version === m.acceptedTermsVersion && !f.pendingTerms ? state() : submit({ kind: 'accept-terms', acceptance })),
    {
      validator: ({ version }) => {
        notEnded();
        if (f.pendingTerms?.version === version || (version === m.acceptedTermsVersion && !f.pendingTerms)) return;
        const waiting = f.pendingTerms ? `version ${f.pendingTerms.version} is` : 'no version is';
        throw reject(ContractRejections.termsNotPending, `terms version ${version} is not waiting for acceptance: ${waiting}`);
      },
    },
  );
  setHandler(refuseTermsUpdate, async ({ version, by }) => submit({ kind: 'refuse-terms', version, by }), {
    validator: ({ version }) => {
      notEnded();
      if (f.pendingTerms?.version !== version) throw reject(ContractRejections.termsNotPending, `terms version ${version} is not waiting for acceptance`);
      if (task) throw reject(ContractRejections.refusalOpen, 'your refusal is already with the Chancellery');
    },
  });
  setHandler(blockLiftedByDecisionSignal, ({ by, clauses, taskId }) => {
    enqueue({ kind: 'block-lifted', by, clauses, taskId });
  });
  setHandler(reportMisuseUpdate, async ({ by }) => submit({ kind: 'report-misuse', by }), { validator: (_r: { by: string }) => notEnded() });
  setHandler(blockUpdate, async ({ by, reason }) => submit({ kind: 'block', by, reason }), { validator: (_b: { by: string; reason: string }) => notEnded() });
  setHandler(unblockUpdate, async ({ by, justification }) => submit({ kind: 'unblock', by, justification }), {
    validator: (_u: { by: string; justification: string }) => {
      notEnded();
      if (f.blocks.length === 0)
        throw reject(ContractRejections.notApplicable, 'the contract has no block to lift (a block for unaccepted terms ends with their acceptance)');
    },
  });
  setHandler(giveNoticeUpdate, async ({ by }) => submit({ kind: 'give-notice', by }), {
    validator: (_n: { by: string }) => {
      notEnded();
      if (f.noticeEndsOn) throw reject(ContractRejections.notApplicable, `notice was already given: the contract ends at the end of ${f.noticeEndsOn}`);
    },
  });
  setHandler(cancelNoticeUpdate, async ({ by }) => submit({ kind: 'cancel-notice', by }), {
    validator: (_n: { by: string }) => {
      notEnded();
      if (!f.noticeEndsOn) throw reject(ContractRejections.notApplicable, 'no notice is running');
    },
  });
  setHandler(terminateUpdate, async ({ by, reasons }) => submit({ kind: 'terminate', by, reasons }), {
    validator: (_t: { by: string; reasons: string[] }) => notEnded(),
  });
  handleTaskUpdates(acts, () => task, {
    state,
    complete: async (completion: TaskCompletion) => {
      taskCompleted = true;
      return submit({ kind: 'task-completed', completion });
    },
  });

  /** Search attributes follow the status; written only when they change (each write is a history event). */
  function mark(status: ContractStatus) {
    const waitingFor = task ? 'chancellery' : f.pendingTerms ? 'user' : 'none';
    const terms = f.pendingTerms?.version ?? 'none';
    if (marked?.state !== status || marked.waitingFor !== waitingFor) markState(status, waitingFor);
    if (marked?.terms !== terms) upsertSearchAttributes([{ key: GvsTermsVersion, value: terms }]);
    marked = { state: status, waitingFor, terms };
  }

  /** Writes the status (database, audit, e-mail on a change) when the event or the status calls for it. */
  async function settle(cause: ContractEvent['kind'] | 'clock', by: string, end?: { ground: 'abuse' | 'terms-revoked'; reasons: string[] }) {
    const now = today();
    const status = contractStatus(f, now);
    const reason = statusReason(f, now);
    mark(status);
    const changed = status !== m.recorded.status || reason !== m.recorded.reason;
    if (!changed && QUIET.has(cause)) return;
    m.step += 1;
    // How it ended and why (Art. 5.3, 10.2): stored and sent to the user, under the contract's data key.
    await acts.recordContractState(
      personalData('contract', contractId, {
        ruleSetId: profile.ruleSet.id,
        contractId,
        step: m.step,
        from: m.recorded.status,
        status,
        reason,
        noticeEndsOn: f.noticeEndsOn,
        endedOn: f.endedOn,
        cause,
        by,
        ...(end ? { endGround: end.ground, endReasons: end.reasons } : {}),
      }),
    );
    m.recorded = { status, reason };
  }

  async function openRefusalTask(version: string) {
    m.refusals += 1;
    taskCompleted = false;
    const spec = {
      taskId: termsRefusalTaskId(contractId, m.refusals),
      kind: 'terms-refusal' as const,
      subject: `refus des conditions générales, version ${version} (art. 5 al. 3)`,
      workflowId,
      canton: input.canton,
      commune: null,
      contractId,
    };
    void runHumanTask(
      acts,
      profile,
      spec,
      (view) => (task = view),
      () => taskCompleted,
    );
    await condition(() => task !== null);
  }

  async function apply(e: ContractEvent): Promise<void> {
    const pending = f.pendingTerms;
    switch (e.kind) {
      case 'terms-published':
        if (e.notice.sequence <= m.termsSequence || e.notice.version === m.acceptedTermsVersion) return;
        m.termsSequence = e.notice.sequence;
        if (profile.contract.termsChanges === 'communicated' && patched('ne-terms-communicated')) {
          // NE 9: the change is communicated (the rollout's e-mail) and applies from its
          // effective day: nothing to accept, no restriction, no block.
          await acts.recordTermsCommunicated({ contractId, version: e.notice.version, effectiveOn: e.notice.effectiveOn });
          m.acceptedTermsVersion = e.notice.version;
          f.pendingTerms = null; // one left from before this rule: the newer version replaces it
          return settle(e.kind, 'system');
        }
        f.pendingTerms = mergePendingTerms(pending, e.notice);
        return settle(e.kind, 'system');
      case 'accept-terms':
        if (pending?.version !== e.acceptance.version) return; // accepted already
        await acts.recordTermsAcceptance({ contractId, ...e.acceptance });
        m.acceptedTermsVersion = e.acceptance.version;
        m.specialClauses = [];
        f.pendingTerms = null;
        return settle(e.kind, e.acceptance.by);
      case 'refuse-terms':
        if (pending?.version !== e.version || task) return;
        await openRefusalTask(e.version);
        return settle(e.kind, e.by);
      case 'report-misuse':
        if (!f.blocks.some((b) => b.kind === 'misuse-reported')) {
          f.blocks.push({
            kind: 'misuse-reported',
            reason: 'suspected misuse of the credentials, reported by the user',
            since: new Date(Date.now()).toISOString(),
            by: e.by,
          });
        }
        return settle(e.kind, e.by);
      case 'block':
        f.blocks = f.blocks.filter((b) => b.kind !== 'provisional');
        f.blocks.push({ kind: 'provisional', reason: e.reason, since: new Date(Date.now()).toISOString(), by: e.by });
        return settle(e.kind, e.by);
      case 'unblock':
        f.blocks = [];
        return settle(e.kind, e.by);
      case 'give-notice':
        if (!f.noticeEndsOn) f.noticeEndsOn = noticeLastDay(today(), profile);
        return settle(e.kind, e.by);
      case 'cancel-notice':
        f.noticeEndsOn = null;
        return settle(e.kind, e.by);
      case 'terminate':
        f.endedOn = today();
        f.noticeEndsOn = null;
        return settle(e.kind, e.by, { ground: 'abuse', reasons: e.reasons ?? [] });
      case 'block-lifted':
        if (!pending) return; // accepted meanwhile: nothing left to lift
        await acts.recordContractAmendment({ contractId, taskId: e.taskId, termsVersion: pending.version, clauses: e.clauses, by: e.by });
        m.acceptedTermsVersion = pending.version;
        m.specialClauses = e.clauses;
        f.pendingTerms = null;
        return settle(e.kind, e.by);
      case 'task-completed':
        return completeRefusal(e.completion);
    }
  }

  /** Art. 5.3: the Chancellery's answer to a refusal of the terms. */
  async function completeRefusal(c: TaskCompletion): Promise<void> {
    await acts.completeTaskRecord({ ...c, ruleSetId: profile.ruleSet.id, at: new Date(Date.now()).toISOString() });
    const version = f.pendingTerms?.version;
    task = null;
    if (c.outcome === 'special-clauses' && version) {
      await acts.recordContractAmendment({ contractId, taskId: c.taskId, termsVersion: version, clauses: c.clauses, by: c.by });
      m.acceptedTermsVersion = version;
      m.specialClauses = c.clauses;
      f.pendingTerms = null;
    } else if (c.outcome === 'keep-blocked' && f.pendingTerms) {
      // The block applies from today, whatever the schedule said.
      const now = today();
      f.pendingTerms = {
        ...f.pendingTerms,
        restrictFrom: f.pendingTerms.restrictFrom < now ? f.pendingTerms.restrictFrom : now,
        blockFrom: f.pendingTerms.blockFrom < now ? f.pendingTerms.blockFrom : now,
      };
    } else if (c.outcome === 'revoke') {
      f.endedOn = today();
      f.noticeEndsOn = null;
      return settle('task-completed', c.by, { ground: 'terms-revoked', reasons: c.reasons });
    }
    return settle('task-completed', c.by);
  }

  /** The next instant the contract changes by itself: restriction, block, end of notice. */
  function nextChange(): number | null {
    const now = today();
    const instants: number[] = [];
    const startOf = (day: string) => endOfLocalDay(addDays(day, -1), tz).getTime();
    if (f.pendingTerms) {
      if (now < f.pendingTerms.restrictFrom) instants.push(startOf(f.pendingTerms.restrictFrom));
      if (now < f.pendingTerms.blockFrom) instants.push(startOf(f.pendingTerms.blockFrom));
    }
    if (f.noticeEndsOn) instants.push(endOfLocalDay(f.noticeEndsOn, tz).getTime());
    return instants.length ? Math.min(...instants) : null;
  }

  // A long history, or the payload key rotates (../rekey.ts): the next run starts at the next quiet point.
  let rekey = false;
  setHandler(rekeySignal, () => {
    rekey = true;
  });
  const longHistory = () => rekey || workflowInfo().continueAsNewSuggested || workflowInfo().historyLength >= historyLimit;

  upsertSearchAttributes([
    { key: GvsProcess, value: CONTRACT_PROCESS },
    { key: GvsCanton, value: input.canton },
  ]);
  if (!input.memory) await settle('clock', 'system');
  else mark(m.recorded.status);

  for (;;) {
    const wake = nextChange();
    const ready = () => m.queue.length > 0 || (longHistory() && !task);
    if (wake === null) await condition(ready);
    else await condition(ready, Math.max(1, wake - Date.now()));

    // The clock first: a restriction or an end of notice that fell due is in force before
    // the next event is judged (an acceptance at 00:00:00 on the restriction day is late).
    if (f.noticeEndsOn && today() > f.noticeEndsOn) {
      f.endedOn = f.noticeEndsOn;
      f.noticeEndsOn = null;
    }
    await settle('clock', 'system');
    while (m.queue.length > 0 && !f.endedOn) {
      await apply(m.queue.shift()!);
      applied += 1;
    }

    if (f.endedOn) {
      // Termination ends access; the evidence's retention runs from `endedOn` (Art. 18.1 a).
      if (task) {
        await acts.completeTaskRecord({
          taskId: task.taskId,
          by: 'system',
          outcome: 'withdrawn',
          note: 'the contract ended',
          at: new Date(Date.now()).toISOString(),
        });
        task = null;
      }
      applied = received; // Updates still waiting answer with the ended contract.
      await condition(allHandlersFinished);
      return state();
    }
    if (longHistory() && !task) {
      // A quiet point: every Update answered, nothing queued; a signal arriving now makes the
      // server refuse this completion, and the run goes on with it.
      await condition(() => allHandlersFinished() || m.queue.length > 0);
      if (m.queue.length === 0) {
        await continueAsNew<typeof contract>({
          contractId,
          canton: input.canton,
          // The next run follows the same rule set (DOMAIN.md §6).
          ruleSetId: input.ruleSetId,
          startedOn: input.startedOn,
          termsVersion: input.termsVersion,
          memory: personalData('contract', contractId, m),
          historyLimit: input.historyLimit,
        });
      }
    }
  }
}
