import type { Block, ContractFacts, ContractStatus, PendingTerms } from '../../domain/contract';
import type { CantonCode, IsoDay } from '../../domain/profiles';
import type { TaskCompletion, TaskView } from '../task/definitions';

/** A published terms version as the rollout tells each contract of it. */
export type TermsNotice = PendingTerms;

/** QES evidence of an acceptance (Art. 5.2), as the user's signing tool gives it. */
export interface TermsAcceptanceIn {
  version: string;
  documentSha256: string;
  signatureValue: string;
  signedAt: string;
  by: string;
  /** What the verification of the qualified signature found (absent on acceptances made before it was verified) */
  signatureEvidence?: Record<string, unknown>;
}

/** Everything that changes a contract, in the order the workflow applies it. */
export type ContractEvent =
  | { kind: 'terms-published'; notice: TermsNotice }
  | { kind: 'accept-terms'; acceptance: TermsAcceptanceIn }
  | { kind: 'refuse-terms'; version: string; by: string }
  | { kind: 'report-misuse'; by: string }
  | { kind: 'block'; by: string; reason: string }
  | { kind: 'unblock'; by: string; justification: string }
  | { kind: 'give-notice'; by: string }
  | { kind: 'cancel-notice'; by: string }
  | { kind: 'terminate'; by: string; reasons: string[] }
  | { kind: 'task-completed'; completion: TaskCompletion }
  /** A formal decision lifted the block kept after a terms refusal, with its clauses (Art. 5.3) */
  | { kind: 'block-lifted'; by: string; clauses: string[]; taskId: string };

/** What a run hands to the next one when it continues as new. */
export interface ContractMemory {
  facts: ContractFacts;
  acceptedTermsVersion: string;
  /** Highest terms sequence seen, so a repeated or older notice changes nothing. */
  termsSequence: number;
  specialClauses: string[];
  refusals: number;
  /** Steps taken so far (e-mails are keyed by step, so a retry sends each once). */
  step: number;
  /** Status as last written to the database and search attributes. */
  recorded: { status: ContractStatus; reason: string | null };
  /** Events received but not applied yet when the run ended. */
  queue: ContractEvent[];
  runs: number;
}

export interface ContractInput {
  contractId: string;
  canton: CantonCode;
  /** The rule set it follows (DOMAIN.md §6): the deployment's when it started; absent in processes started before rule sets were pinned. */
  ruleSetId?: string;
  startedOn: IsoDay;
  /** The terms version signed with the contract. */
  termsVersion: string;
  /** A newer version already published when the contract starts. */
  pendingTerms?: TermsNotice | null;
  /** Set by the previous run on continue-as-new. */
  memory?: ContractMemory;
  /** History length at which a run continues as new (tests set it low). */
  historyLimit?: number;
}

export interface ContractState {
  contractId: string;
  status: ContractStatus;
  reason: string | null;
  /** The version the contract is bound by: signed, accepted (Art. 5.2), or communicated (NE 9). */
  acceptedTermsVersion: string;
  pendingTerms: PendingTerms | null;
  blocks: Block[];
  noticeEndsOn: IsoDay | null;
  endedOn: IsoDay | null;
  specialClauses: string[];
  task: TaskView | null;
  /** How many runs this contract's history spans (continue-as-new) */
  runs: number;
}
