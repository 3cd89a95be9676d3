// A submission to a service (Art. 15): receipt at once; a fee asked for first where there is
// one (lapses unpaid); the unit accepts, asks for missing information by a day (lapses
// incomplete) or refuses with reasons (15.2), in its own inbox, reminded and escalated. The
// history holds ids, states and days; what is about the person crosses it under the
// transaction's data key.
import { ApplicationFailure, condition, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import { addDays, endOfLocalDay, localDay } from '../../domain/days';
import { activitiesWith, markState, ruleSetOf } from '../common';
import { personalData } from '../personal-data';
import { GvsCanton, GvsProcess, GvsUnit } from '../search-attributes';
import { runHumanTask, handleTaskUpdates } from '../task/human-task';
import type { TaskView } from '../task/definitions';
import {
  answerUpdate,
  completeUpdate,
  paymentSignal,
  TRANSACTION_PROCESS,
  TransactionRejections,
  transactionStatusQuery,
  transactionTaskId,
  transactionWorkflowId,
} from './definitions';
import type { PaymentState, TransactionAnswer, TransactionInput, TransactionState, TransactionStatus } from './types';

const acts = activitiesWith({ startToCloseTimeout: '1 minute', initialInterval: '1 second', maximumInterval: '5 minutes' });
const webhookActs = activitiesWith({ startToCloseTimeout: '30 seconds', initialInterval: '5 seconds', maximumInterval: '1 hour' });

const reject = (type: string, message: string) => ApplicationFailure.create({ type, message, nonRetryable: true });

/** A deadline in days from today runs to the end of its local day. */
function endOfDayAfter(days: number, timeZone: string): { day: string; at: number } {
  const day = addDays(localDay(new Date(Date.now()), timeZone), days);
  return { day, at: endOfLocalDay(day, timeZone).getTime() };
}

export async function transaction(input: TransactionInput): Promise<TransactionStatus> {
  const profile = ruleSetOf(input);
  const ruleSetId = profile.ruleSet.id;
  const { transactionId } = input;
  let state: TransactionState = 'recording';
  let payment: PaymentState | null = input.feeCents ? 'pending' : null;
  let paymentDueAt: string | null = null;
  let completionDueAt: string | null = null;
  let answer: TransactionAnswer | undefined;
  let completed = false;
  let round = 1;
  let outcome: TransactionStatus['outcome'] = null;
  let pending: TaskView | null = null;
  let claimable: TaskView | null = null;

  const status = (): TransactionStatus => ({
    transactionId,
    receiptNumber: input.receiptNumber,
    state,
    serviceId: input.serviceId,
    unitId: input.unitId,
    submittedAt: input.submittedAt,
    payment: payment && input.feeCents ? { state: payment, feeCents: input.feeCents, dueAt: paymentDueAt } : null,
    completionDueAt,
    rounds: round,
    outcome,
    taskId: pending || claimable ? transactionTaskId(transactionId, round) : null,
  });
  const enter = (next: TransactionState, waitingFor: 'system' | 'user' | 'unit' | 'none') => {
    state = next;
    markState(next, waitingFor);
  };

  setHandler(transactionStatusQuery, status);
  setHandler(paymentSignal, (e) => {
    // Only a payment awaited counts; a refusal or cancellation at the provider leaves it open (the user may pay again).
    if (e.state === 'paid' && payment === 'pending') payment = 'paid';
  });
  setHandler(
    answerUpdate,
    async (a) => {
      answer = a;
      // Answered once the process acted on it: the document sealed, the user told (or asked).
      await condition(() => state !== 'awaiting-unit' && state !== 'issuing');
      return status();
    },
    {
      validator: (a) => {
        if (state !== 'awaiting-unit' || answer)
          throw reject(TransactionRejections.notAwaitingUnit, `the unit's answer is not awaited now (the transaction is ${state})`);
        if (a.outcome === 'refuse' && !a.reasons.some((r: string) => r.trim()))
          throw reject(TransactionRejections.incomplete, 'a refusal needs its reasons (Art. 15.2)');
        if (a.outcome === 'missing-information' && !a.missing.some((r: string) => r.trim()))
          throw reject(TransactionRejections.incomplete, 'say what information is missing');
      },
    },
  );
  setHandler(
    completeUpdate,
    async (_c: { by: string; at: string }) => {
      completed = true;
      await condition(() => state !== 'awaiting-information');
      return status();
    },
    {
      validator: (_c: { by: string; at: string }) => {
        if (state !== 'awaiting-information' || completed)
          throw reject(TransactionRejections.notAwaitingInformation, `no information is awaited (the transaction is ${state})`);
      },
    },
  );
  // The task in the unit's inbox is answered through the transaction's own route (with its document).
  handleTaskUpdates(acts, () => pending ?? claimable, { state: status, complete: async () => status() });

  upsertSearchAttributes([
    { key: GvsProcess, value: TRANSACTION_PROCESS },
    { key: GvsCanton, value: input.canton },
    { key: GvsUnit, value: input.unitId },
  ]);
  enter('recording', 'system');
  // The receipt: its number and PDF in the user's inbox at once, the retention scheduled.
  await acts.acknowledgeTransaction({ transactionId, ruleSetId });

  const lapse = async (kind: 'lapsed-unpaid' | 'lapsed-incomplete', dueDay: string) => {
    await acts.lapseTransaction({ transactionId, kind, dueDay, ruleSetId });
    outcome = 'lapsed';
    enter('lapsed', 'none');
    return status();
  };

  if (input.feeCents) {
    const due = endOfDayAfter(profile.services.paymentDays, profile.timeZone);
    paymentDueAt = new Date(due.at).toISOString();
    enter('awaiting-payment', 'user');
    await acts.requestPayment({ transactionId, dueDay: due.day, ruleSetId });
    if (!(await condition(() => payment === 'paid', Math.max(1, due.at - Date.now())))) {
      payment = 'expired';
      return lapse('lapsed-unpaid', due.day);
    }
    await acts.recordPaymentReceived({ transactionId });
  }

  for (;;) {
    enter('awaiting-unit', 'unit');
    const told = webhookActs.notifyUnitOfTransaction({ transactionId, type: round === 1 ? 'transaction.submitted' : 'transaction.completed' });
    await runHumanTask(
      acts,
      profile,
      {
        taskId: transactionTaskId(transactionId, round),
        kind: 'transaction',
        subject: `démarche ${input.serviceId} ${input.receiptNumber}${round > 1 ? ' (complétée)' : ''}`,
        workflowId: transactionWorkflowId(transactionId),
        canton: input.canton,
        commune: null,
        unitId: input.unitId,
        transactionId,
      },
      (view) => (pending = view),
      () => answer !== undefined,
      (view) => (claimable = view),
    );
    const a = answer!;
    await acts.completeTaskRecord(
      personalData('transaction', transactionId, {
        taskId: transactionTaskId(transactionId, round),
        by: a.by,
        outcome: a.outcome,
        reasons: a.outcome === 'refuse' ? a.reasons : a.outcome === 'missing-information' ? a.missing : undefined,
        at: a.at,
      }),
    );
    pending = null;
    claimable = null;
    await told;
    if (a.outcome !== 'missing-information') break;

    // Art. 15.2: the user completes it by the day, or it lapses.
    const due = endOfDayAfter(profile.services.completionDays, profile.timeZone);
    completionDueAt = new Date(due.at).toISOString();
    enter('awaiting-information', 'user');
    await acts.askForInformation(
      personalData('transaction', transactionId, { transactionId, missing: a.missing, dueDay: due.day, dueAt: completionDueAt, ruleSetId }),
    );
    if (!(await condition(() => completed, Math.max(1, due.at - Date.now())))) return lapse('lapsed-incomplete', due.day);
    completed = false;
    completionDueAt = null;
    answer = undefined;
    round += 1;
  }

  const a = answer!;
  enter('issuing', 'system');
  if (a.outcome === 'accept') {
    // A document the unit answered with goes into the inbox sealed by the engine.
    await acts.acceptTransaction({ transactionId, ruleSetId, by: a.by });
    outcome = 'accept';
    enter('accepted', 'none');
  } else if (a.outcome === 'refuse') {
    await acts.refuseTransaction(personalData('transaction', transactionId, { transactionId, reasons: a.reasons, by: a.by, ruleSetId }));
    // A fee paid for a transaction refused is given back.
    if ((payment as PaymentState | null) === 'paid') {
      await acts.refundTransactionFee({ transactionId });
      payment = 'refunded';
    }
    outcome = 'refuse';
    enter('refused', 'none');
  }
  return status();
}
