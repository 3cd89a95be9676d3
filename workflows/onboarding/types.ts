import type { CantonCode } from '../../domain/profiles';
import type { CheckOutcome } from '../../domain/onboarding';
import type { TaskView } from '../task/definitions';

export type { TaskClaim, TaskCompletion, TaskKind, TaskView } from '../task/definitions';

/** The workflow carries references only: the personal data stays in the database. */
export interface OnboardingInput {
  applicationId: string;
  canton: CantonCode;
  /** The rule set it follows (DOMAIN.md §6): the deployment's when it started; absent in processes started before rule sets were pinned. */
  ruleSetId?: string;
  /** The commune the applicant declared (a search attribute for operators, not personal data). */
  commune: string;
}

export type OnboardingStatus = 'checking' | 'awaiting-review' | 'awaiting-authority' | 'approved' | 'refused' | 'formal-decision-requested';

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

export interface AuthorityAnswer {
  hasCivilCapacity: boolean;
  note?: string;
  by: string;
}
