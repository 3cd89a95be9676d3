import type { CantonCode } from '../../domain/profiles';
import type { CheckOutcome } from '../../domain/onboarding';

/** The workflow carries references only: the personal data stays in the database. */
export interface OnboardingInput {
  applicationId: string;
  canton: CantonCode;
  /** The commune the applicant declared (a search attribute for operators, not personal data). */
  commune: string;
}

export type OnboardingStatus = 'checking' | 'awaiting-review' | 'awaiting-authority' | 'approved' | 'refused' | 'formal-decision-requested';

export type TaskKind = 'review' | 'authority-inquiry' | 'formal-decision';

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

export interface OnboardingState {
  applicationId: string;
  status: OnboardingStatus;
  checks?: CheckOutcome;
  pending: TaskView | null;
  refusalReasons?: string[];
  /** Last day to ask for a formal decision after a refusal */
  formalDecisionDeadline?: string;
  /** The formal decision, served by its own decisionService process */
  formalDecisionId?: string;
}

export type TaskCompletion =
  | { taskId: string; by: string; outcome: 'approve'; justification: string }
  | { taskId: string; by: string; outcome: 'refuse'; reasons: string[] };

export interface TaskClaim {
  taskId: string;
  by: string;
}

export interface AuthorityAnswer {
  hasCivilCapacity: boolean;
  note?: string;
  by: string;
}
