import { ApplicationFailure, condition, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { GvsCanton, GvsProcess, GvsUnit } from '../search-attributes';
import { activitiesWith, markState, ruleSetOf } from '../common';
import { ACCESS_REQUEST_PROCESS, ALREADY_DECIDED, decideUpdate, REASON_REQUIRED, statusQuery } from './definitions';
import type { AccessRequestInput, AccessRequestState, AccessRequestStatus, UnitDecision } from './types';

const acts = activitiesWith({ startToCloseTimeout: '30 seconds', initialInterval: '1 second', maximumInterval: '5 minutes' });

const DAY_MS = 24 * 60 * 60 * 1000;

export async function accessRequest(input: AccessRequestInput): Promise<AccessRequestStatus> {
  const profile = ruleSetOf(input);
  let state: AccessRequestState = 'recording';
  let decision: UnitDecision | undefined;
  let remindersSent = 0;
  let nextReminderDueAt: string | undefined;

  const status = (): AccessRequestStatus => ({
    requestId: input.requestId,
    state,
    canton: input.canton,
    unitId: input.unitId,
    service: input.service,
    requestedAt: input.requestedAt,
    remindersSent,
    nextReminderDueAt,
    decision: decision && { outcome: decision.outcome, reason: decision.reason, decidedAt: decision.decidedAt },
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

  upsertSearchAttributes([
    { key: GvsProcess, value: ACCESS_REQUEST_PROCESS },
    { key: GvsCanton, value: input.canton },
    { key: GvsUnit, value: input.unitId },
  ]);
  enter('recording', 'system');
  await acts.recordAccessRequest(input);
  enter('awaiting-unit', 'unit');

  // The unit owes an answer; none may wait forever unseen: remind it every period.
  const reminderPeriodMs = profile.reminders.taskReminderDays * DAY_MS;
  for (;;) {
    nextReminderDueAt = new Date(Date.now() + reminderPeriodMs).toISOString();
    if (await condition(() => decision !== undefined, reminderPeriodMs)) break;
    // Timed out: the unit has not decided within the period — remind it, and keep waiting.
    remindersSent += 1;
    await acts.remindUnit({ requestId: input.requestId, unitId: input.unitId, reminder: remindersSent });
  }
  nextReminderDueAt = undefined;

  const d = decision!;
  await acts.recordAccessDecision({ requestId: input.requestId, ...d, workflowId: workflowInfo().workflowId });
  enter(d.outcome === 'grant' ? 'granted' : 'refused', 'none');
  return status();
}
