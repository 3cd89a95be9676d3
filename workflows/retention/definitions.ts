// Imports nothing but @temporalio/workflow and types, so the API can import it.
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { CantonCode, IsoDay, RetentionCategory } from '../../domain/profiles';

export const RETENTION_PROCESS = 'retention';

/** The records kept under Art. 18-19, each with its retention process. */
export type RecordKind = 'access-request' | 'onboarding-application' | 'decision' | 'contract' | 'transaction';

export const retentionWorkflowId = (kind: RecordKind, id: string) => `${RETENTION_PROCESS}/${kind}/${id}`;

export interface RetentionInput {
  recordKind: RecordKind;
  recordId: string;
  category: RetentionCategory;
  /** The day the period counts from: the transaction's day, the day the service became valid, the contract's end. */
  eventDay: IsoDay;
  canton: CantonCode;
  /** The rule set it follows (DOMAIN.md §6): the deployment's when it started; absent in processes started before rule sets were pinned. */
  ruleSetId?: string;
}

export interface RetentionState extends RetentionInput {
  /** Kept through this day (Europe/Zurich); destroyed once it is over. */
  lastDay: IsoDay;
  state: 'kept' | 'on-hold' | 'destroyed';
  /** Active legal holds when last checked */
  holds: number;
  destroyedAt?: string;
}

/** A legal hold was placed or lifted on the record: check again. */
export const holdsChangedSignal = defineSignal('holdsChanged');
export const retentionStateQuery = defineQuery<RetentionState>('retentionState');
