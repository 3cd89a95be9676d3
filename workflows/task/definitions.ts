// The human task every process shares (a Chancellery review, an inquiry, a terms refusal,
// a formal decision, a letter without tracking):
// the Updates the task API sends to whichever workflow holds the task. Imports nothing but
// @temporalio/workflow, so the API can import it.
import { defineUpdate } from '@temporalio/workflow';

export type TaskKind =
  | 'review'
  | 'authority-inquiry'
  | 'formal-decision'
  | 'terms-refusal'
  | 'postal-tracking'
  // NE 3.2 (LGSU Art. 22 al. 3): the written, legalised proxy an unrestricted proxy needs
  | 'written-proxy'
  // Art. 9.5: a legal representative contracts for the person
  | 'legal-representation'
  // Art. 9.4: the written contract of a person without access to the counter
  | 'written-proxy-contract'
  // Art. 11.2: an entity's powers, verified with the commercial register's answer; 13.1: its written contract
  | 'entity-powers'
  | 'written-contract'
  // NE 7.1, 7.6: access rights blocked at the 8th wrong attempt in a row, lifted on a written request
  | 'access-rights-block'
  // NE 7.4: an account deactivated after 540 days without a sign-in, reactivated by the Chancellery
  | 'account-deactivated'
  // Art. 14.2: access to a service on request, decided by its unit
  | 'access-request'
  // Art. 15.2: a submission to a service, answered by its unit (through the transactions' routes)
  | 'transaction';

export interface TaskView {
  taskId: string;
  kind: TaskKind;
  status: 'open' | 'completed';
  claimedBy: string | null;
  /** When a reminder goes out next if nobody acts */
  dueAt: string;
  remindersSent: number;
  escalated: boolean;
}

export interface TaskClaim {
  taskId: string;
  by: string;
}

export type TaskCompletion =
  // onboarding review and formal decision (Art. 4.7, 4.8)
  | { taskId: string; by: string; outcome: 'approve'; justification: string }
  | { taskId: string; by: string; outcome: 'refuse'; reasons: string[] }
  // a refusal of the terms of use (Art. 5.3)
  | { taskId: string; by: string; outcome: 'special-clauses'; clauses: string[] }
  | { taskId: string; by: string; outcome: 'keep-blocked'; justification: string }
  | { taskId: string; by: string; outcome: 'revoke'; reasons: string[] }
  // a registered letter without tracking: the unit says what it found out and did
  | { taskId: string; by: string; outcome: 'acknowledge'; justification: string }
  // a paper document received and checked: a written proxy or contract (NE 3.2, Art. 9.4, 13.1)
  | { taskId: string; by: string; outcome: 'record'; justification: string }
  // NE 7.6: the block of the access rights lifted on the person's written request (an emolument reserved)
  | { taskId: string; by: string; outcome: 'lift'; justification: string }
  // NE 7.4: a deactivated account reactivated on the person's request
  | { taskId: string; by: string; outcome: 'reactivate'; justification: string }
  // Art. 14.2: the unit grants access to its service (a refusal is 'refuse', with its reasons)
  | { taskId: string; by: string; outcome: 'grant' };

export type TaskOutcome = TaskCompletion['outcome'];

/** Which outcomes complete which kind of task. */
export const OUTCOMES_BY_KIND: Record<TaskKind, readonly TaskOutcome[]> = {
  review: ['approve', 'refuse'],
  'authority-inquiry': [],
  'formal-decision': ['approve', 'refuse'],
  'terms-refusal': ['special-clauses', 'keep-blocked', 'revoke'],
  'postal-tracking': ['acknowledge'],
  // Art. 11.2: the Chancellery verifies an entity's powers; 13.1: records its written contract
  'entity-powers': ['approve', 'refuse'],
  'written-contract': ['record', 'refuse'],
  'written-proxy': ['record', 'refuse'],
  'legal-representation': ['approve', 'refuse'],
  'written-proxy-contract': ['record', 'refuse'],
  'access-rights-block': ['lift'],
  'account-deactivated': ['reactivate'],
  'access-request': ['grant', 'refuse'],
  transaction: [],
};

// Human steps are Updates: their validators say "no" synchronously (the API answers 409/400).
export const claimTaskUpdate = defineUpdate<unknown, [TaskClaim]>('claimTask');
export const releaseTaskUpdate = defineUpdate<unknown, [TaskClaim]>('releaseTask');
export const completeTaskUpdate = defineUpdate<unknown, [TaskCompletion]>('completeTask');

/** ApplicationFailure types the task validators throw; the API maps them to HTTP answers. */
export const TaskRejections = {
  /** 409: not the task pending now, or already done */
  taskNotOpen: 'TaskNotOpen',
  /** 409: claimed by someone else / not claimed by the caller */
  taskClaimed: 'TaskClaimedByOther',
  notClaimedByCaller: 'TaskNotClaimedByCaller',
  /** 400: an outcome without its justification, reasons or clauses, or not one for this kind of task */
  incomplete: 'CompletionIncomplete',
} as const;
