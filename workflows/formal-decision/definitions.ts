// A request for a formal decision (CPA; Art. 4.8, 5.3, 10.2, 14.4 of the ordinance): its own
// process, one per contested act. Imports nothing but @temporalio/workflow and types.
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { CantonCode } from '../../domain/profiles';

export const FORMAL_DECISION_PROCESS = 'formal-decision';

export const formalDecisionWorkflowId = (requestId: string) => `${FORMAL_DECISION_PROCESS}/${requestId}`;
export const formalDecisionTaskId = (requestId: string) => `${requestId}-formal-decision`;

/** What the counter refused, ended or restricted, and so what the formal decision is about. */
export const FORMAL_DECISION_GROUNDS = [
  'onboarding-refused',
  'terms-kept-blocked',
  'terms-revoked',
  'terminated-for-abuse',
  'access-refused',
  'access-revoked',
] as const;
export type FormalDecisionGround = (typeof FORMAL_DECISION_GROUNDS)[number];

/** References only: the person's data and the reasons stay in the database. */
export interface FormalDecisionInput {
  requestId: string;
  ground: FormalDecisionGround;
  canton: CantonCode;
  /** The rule set it follows (DOMAIN.md §6): the deployment's when it started; absent in processes started before rule sets were pinned. */
  ruleSetId?: string;
  /** The competent authority: 'CHA' (the Chancellery) or the unit that refused access (Art. 14) */
  unitId: string;
  /** The record the contested act is about (an application, a contract, an access request) */
  recordId: string;
}

export type FormalDecisionStatus = 'requested' | 'awaiting-authority' | 'issuing' | 'decided';

export interface FormalDecisionState {
  requestId: string;
  ground: FormalDecisionGround;
  status: FormalDecisionStatus;
  taskId: string;
  outcome?: 'approve' | 'refuse';
  decisionId?: string;
}

export const formalDecisionStateQuery = defineQuery<FormalDecisionState>('formalDecisionState');

/** Sent to a contract by a formal decision that lifts a block kept after a terms refusal (Art. 5.3). */
export const blockLiftedByDecisionSignal = defineSignal<[{ requestId: string; by: string; clauses: string[]; taskId: string }]>('blockLiftedByDecision');
