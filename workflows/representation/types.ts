import type { CantonCode } from '../../domain/profiles';
import type { RepresentationBasis, RepresentationKind, RepresentedChecks } from '../../domain/representation';
import type { TaskView } from '../task/definitions';

/** The workflow carries references only: the represented person's data stays in the database. */
export interface RepresentationInput {
  requestId: string;
  canton: CantonCode;
  /** The rule set it follows (DOMAIN.md §6): the deployment's when it started; absent in processes started before rule sets were pinned. */
  ruleSetId?: string;
  kind: RepresentationKind;
  basis?: RepresentationBasis;
  /** The represented person's commune (a search attribute for operators, as onboarding's). */
  commune: string;
}

export type RepresentationStatus = 'checking' | 'awaiting-review' | 'approved' | 'refused';

export interface RepresentationState {
  requestId: string;
  kind: RepresentationKind;
  status: RepresentationStatus;
  checks?: RepresentedChecks;
  pending: TaskView | null;
  refusalReasons?: string[];
  /** Approved: the represented person's subject, and the representative's standing proxy */
  representedSub?: string;
  proxyId?: string;
}

/** What admission did: the person admitted, or why not. */
export type Admission =
  | { outcome: 'admitted'; representedSub: string; contractId: string; proxyId: string; until: string | null; services: string[] }
  /** One person, one subject: she entered the user register in the meantime */
  | { outcome: 'already-registered' }
  /** Parental authority: she came of age before the approval */
  | { outcome: 'of-age' };
