// Imports nothing but @temporalio/workflow and types, so the API can import it.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { PaymentEvent, TransactionAnswer, TransactionStatus } from './types';

export const TRANSACTION_PROCESS = 'transaction';

/** From the transaction's id only (a UUID): no personal data, no receipt number. */
export const transactionWorkflowId = (transactionId: string) => `${TRANSACTION_PROCESS}/${transactionId}`;

/** The unit's task for each round (a completed transaction comes back as a new round). */
export const transactionTaskId = (transactionId: string, round: number) => `transaction-${transactionId}-${round}`;

export const transactionStatusQuery = defineQuery<TransactionStatus>('status');

/** The unit's answer; its validator refuses one when the unit is not the one awaited. */
export const answerUpdate = defineUpdate<TransactionStatus, [TransactionAnswer]>('answer');

/** The user completed it (the form and files are in the record already). */
export const completeUpdate = defineUpdate<TransactionStatus, [{ by: string; at: string }]>('complete');

/** The provider's word on the online payment, checked by the API. */
export const paymentSignal = defineSignal<[PaymentEvent]>('payment');

export const TransactionRejections = {
  /** 409: the unit's answer is not awaited now (awaiting payment or information, or answered) */
  notAwaitingUnit: 'NotAwaitingUnit',
  /** 409: no information is awaited from the user */
  notAwaitingInformation: 'NotAwaitingInformation',
  /** 400: a refusal without reasons, a request for information without what is missing */
  incomplete: 'AnswerIncomplete',
} as const;
