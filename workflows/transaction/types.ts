// A submission to a service of the catalogue (Art. 15): its process carries ids, states and
// days only; the form, the files and the answers' texts are in the records (and what crosses
// the history about the person, under the transaction's data key).
import type { CantonCode } from '../../domain/profiles';

export interface TransactionInput {
  transactionId: string;
  receiptNumber: string;
  canton: CantonCode;
  ruleSetId?: string;
  serviceId: string;
  unitId: string;
  /** The fee in centimes (null: none): asked for before the unit handles it. */
  feeCents: number | null;
  submittedAt: string;
}

export type TransactionState = 'recording' | 'awaiting-payment' | 'awaiting-unit' | 'awaiting-information' | 'issuing' | 'accepted' | 'refused' | 'lapsed';

export type PaymentState = 'pending' | 'paid' | 'refunded' | 'expired';

/** What the unit answers (Art. 15.2). Reasons and missing items are about the person: under the transaction's data key. */
export type TransactionAnswer =
  | { outcome: 'accept'; by: string; at: string; document: boolean }
  | { outcome: 'missing-information'; by: string; at: string; missing: string[] }
  | { outcome: 'refuse'; by: string; at: string; reasons: string[] };

/** What the payment provider said, once the API checked its signature. */
export interface PaymentEvent {
  state: 'paid' | 'failed' | 'canceled' | 'refunded';
  providerTransactionId: string;
}

export interface TransactionStatus {
  transactionId: string;
  receiptNumber: string;
  state: TransactionState;
  serviceId: string;
  unitId: string;
  submittedAt: string;
  payment: { state: PaymentState; feeCents: number; dueAt: string | null } | null;
  /** While information is missing: the day it must come by. */
  completionDueAt: string | null;
  rounds: number;
  outcome: 'accept' | 'refuse' | 'lapsed' | null;
  taskId: string | null;
}
