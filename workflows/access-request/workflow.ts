import { ApplicationFailure, condition, patched, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { GvsCanton, GvsProcess, GvsUnit } from '../search-attributes';
import { activitiesWith, markState, ruleSetOf } from '../common';
import { handleTaskUpdates, runHumanTask } from '../task/human-task';
import type { TaskCompletion, TaskView } from '../task/definitions';
import { personalData } from '../personal-data';
import {
  ACCESS_REQUEST_PROCESS,
  ACCESS_REVOCATION_PROCESS,
  accessRequestTaskId,
  accessRequestWorkflowId,
  ALREADY_DECIDED,
  decideUpdate,
  REASON_REQUIRED,
  statusQuery,
} from './definitions';
import type { AccessRequestInput, AccessRequestState, AccessRequestStatus, AccessRevocationInput, UnitDecision } from './types';

const acts = activitiesWith({ startToCloseTimeout: '30 seconds', initialInterval: '1 second', maximumInterval: '5 minutes' });
// A unit's webhook receiver may be down for a while: keep trying, up to hourly.
const webhookActs = activitiesWith({ startToCloseTimeout: '30 seconds', initialInterval: '5 seconds', maximumInterval: '1 hour' });

const DAY_MS = 24 * 60 * 60 * 1000;

export async function accessRequest(input: AccessRequestInput): Promise<AccessRequestStatus> {
  const profile = ruleSetOf(input);
  let state: AccessRequestState = 'recording';
  let decision: UnitDecision | undefined;
  let remindersSent = 0;
  let nextReminderDueAt: string | undefined;
  // Art. 14.2: the unit decides in its own inbox (a task, reminded and escalated), told at its webhook.
  const inInbox = patched('access-request-unit-task');
  const taskId = inInbox ? accessRequestTaskId(input.requestId) : undefined;
  let pending: TaskView | null = null;
  let claimable: TaskView | null = null;

  const status = (): AccessRequestStatus => ({
    requestId: input.requestId,
    state,
    canton: input.canton,
    unitId: input.unitId,
    service: input.service,
    requestedAt: input.requestedAt,
    remindersSent: pending ? pending.remindersSent : remindersSent,
    nextReminderDueAt: pending ? pending.dueAt : nextReminderDueAt,
    decision: decision && { outcome: decision.outcome, reason: decision.reason, decidedAt: decision.decidedAt },
    ...(taskId ? { taskId } : {}),
  });
  const enter = (next: AccessRequestState, waitingFor: string) => {
    state = next;
    markState(next, waitingFor);
  };

  setHandler(statusQuery, status);
  setHandler(
    decideUpdate,
    async (d) => {
      decision = d;
      await condition(() => state === 'granted' || state === 'refused');
      return status();
    },
    {
      validator: (d) => {
        if (decision) throw ApplicationFailure.create({ type: ALREADY_DECIDED, message: 'this request has already been decided', nonRetryable: true });
        if (d.outcome === 'refuse' && !d.reason?.trim()) {
          throw ApplicationFailure.create({ type: REASON_REQUIRED, message: 'a refusal needs a reason', nonRetryable: true });
        }
      },
    },
  );
  let completion: TaskCompletion | undefined;
  if (inInbox) {
    // The same decision, from the unit's inbox: grant, or refuse with its reasons.
    handleTaskUpdates(acts, () => pending ?? claimable, {
      state: status,
      complete: async (c) => {
        if (!decision) {
          completion = c;
          const at = new Date(Date.now()).toISOString();
          decision =
            c.outcome === 'refuse'
              ? { outcome: 'refuse', reason: c.reasons.join('\n'), decidedBySub: c.by, decidedAt: at }
              : { outcome: 'grant', decidedBySub: c.by, decidedAt: at };
        }
        await condition(() => state === 'granted' || state === 'refused');
        return status();
      },
    });
  }

  upsertSearchAttributes([
    { key: GvsProcess, value: ACCESS_REQUEST_PROCESS },
    { key: GvsCanton, value: input.canton },
    { key: GvsUnit, value: input.unitId },
  ]);
  enter('recording', 'system');
  await acts.recordAccessRequest(input);
  enter('awaiting-unit', 'unit');

  if (inInbox) {
    // The webhook is tried while the task waits: a receiver that is down delays nothing.
    const told = webhookActs.notifyUnitOfAccessRequest({ requestId: input.requestId, type: 'access-request.filed' });
    await runHumanTask(
      acts,
      profile,
      {
        taskId: taskId!,
        kind: 'access-request',
        subject: `demande d'accès à la prestation ${input.service} (art. 14 al. 2)`,
        workflowId: accessRequestWorkflowId(input.requestId),
        canton: input.canton,
        commune: null,
        unitId: input.unitId,
        accessRequestId: input.requestId,
      },
      (view) => (pending = view),
      () => decision !== undefined,
      (view) => (claimable = view),
    );
    const d = decision!;
    // The task's row says who decided, and how: from the inbox, or through the decision route.
    await acts.completeTaskRecord(
      personalData('access-request', input.requestId, {
        taskId: taskId!,
        by: d.decidedBySub,
        outcome: completion?.outcome ?? d.outcome,
        reasons: d.outcome === 'refuse' ? [d.reason ?? ''] : undefined,
        at: d.decidedAt,
      }),
    );
    remindersSent = pending!.remindersSent;
    pending = null;
    claimable = null;
    await told;
  } else {
    // The unit owes an answer; none may wait forever unseen: remind it every period.
    const reminderPeriodMs = profile.reminders.taskReminderDays * DAY_MS;
    for (;;) {
      nextReminderDueAt = new Date(Date.now() + reminderPeriodMs).toISOString();
      if (await condition(() => decision !== undefined, reminderPeriodMs)) break;
      // Timed out: the unit has not decided within the period — remind it, and keep waiting.
      remindersSent += 1;
      await acts.remindUnit({ requestId: input.requestId, unitId: input.unitId, reminder: remindersSent });
    }
  }
  nextReminderDueAt = undefined;

  const d = decision!;
  await acts.recordAccessDecision({ requestId: input.requestId, ...d, workflowId: workflowInfo().workflowId });
  enter(d.outcome === 'grant' ? 'granted' : 'refused', 'none');
  // The citizen is told the outcome (and, after a refusal, how to ask for a formal decision).
  if (inInbox)
    await acts.tellAccessOutcome({
      requestId: input.requestId,
      kind: d.outcome === 'grant' ? 'access-granted' : 'access-refused',
      ruleSetId: profile.ruleSet.id,
    });
  return status();
}

/**
 * Art. 14.3: a granted access revoked for abuse or breach of the rules. The revocation is
 * recorded with its reasons, the user is told them and how to ask for a formal decision
 * (14.4), and the unit's webhook hears of it.
 */
export async function accessRevocation(input: AccessRevocationInput): Promise<void> {
  const profile = ruleSetOf(input);
  upsertSearchAttributes([
    { key: GvsProcess, value: ACCESS_REVOCATION_PROCESS },
    { key: GvsCanton, value: input.canton },
    { key: GvsUnit, value: input.unitId },
  ]);
  markState('recording', 'system');
  await acts.recordAccessRevocation(input.revocation);
  markState('telling', 'system');
  await acts.tellAccessOutcome({ requestId: input.requestId, kind: 'access-revoked', ruleSetId: profile.ruleSet.id });
  await webhookActs.notifyUnitOfAccessRequest({ requestId: input.requestId, type: 'access-request.revoked' });
  markState('revoked', 'none');
}
