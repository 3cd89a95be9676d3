import {
  TransactionRejections,
  answerUpdate,
  completeUpdate,
  paymentSignal,
  transactionStatusQuery,
  transactionWorkflowId,
} from '../../workflows/transaction/definitions';
import type { PaymentEvent, TransactionAnswer, TransactionInput, TransactionStatus } from '../../workflows/transaction/types';
import { AppError } from '../errors';
import { WorkflowGateway, type RejectionStatuses, type Temporal } from './temporal';

export const transactionRejections: RejectionStatuses = {
  [TransactionRejections.notAwaitingUnit]: 409,
  [TransactionRejections.notAwaitingInformation]: 409,
  [TransactionRejections.incomplete]: 400,
};

const closed = () => new AppError(409, 'conflict', 'this transaction is closed');

/** Every start, signal, update and query of a transaction's workflow. */
export class TransactionGateway extends WorkflowGateway {
  constructor(temporal: Temporal) {
    super(temporal, transactionRejections);
  }

  start(input: TransactionInput): Promise<boolean> {
    return this.startOnce('transaction', { workflowId: transactionWorkflowId(input.transactionId), args: [input] });
  }

  status(transactionId: string): Promise<TransactionStatus | null> {
    return this.queryOrNull(transactionWorkflowId(transactionId), transactionStatusQuery);
  }

  answer(transactionId: string, answer: TransactionAnswer): Promise<TransactionStatus> {
    return this.update(transactionWorkflowId(transactionId), answerUpdate, [answer], closed);
  }

  complete(transactionId: string, by: { by: string; at: string }): Promise<TransactionStatus> {
    return this.update(transactionWorkflowId(transactionId), completeUpdate, [by], closed);
  }

  payment(transactionId: string, event: PaymentEvent): Promise<void> {
    return this.signal(transactionWorkflowId(transactionId), paymentSignal, event);
  }
}
