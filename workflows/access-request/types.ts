// A request for access to a unit's service that is not free (Art. 14 al. 2): the unit decides.
import type { CantonCode } from '../../domain/profiles';

export interface AccessRequestInput {
  requestId: string;
  canton: CantonCode;
  /** The rule set it follows (DOMAIN.md §6): the deployment's when it started; absent in processes started before rule sets were pinned. */
  ruleSetId?: string;
  unitId: string;
  service: string;
  /** e-ID subject of the citizen the request is for, or the legal entity's subject (Art. 12) */
  citizenSub: string;
  /** subject of whoever filed it: the citizen, or a post-office counsellor on their behalf */
  filedBySub: string;
  filedByRole: 'citizen' | 'counsellor';
  /** Personal data the unit needs: encrypted in the history by the payload codec. */
  applicant: { avsNumber?: string; uid?: string; email: string };
  note?: string;
  requestedAt: string; // ISO instant
}

export type AccessRequestState = 'recording' | 'awaiting-unit' | 'granted' | 'refused' | 'revoked';

export interface UnitDecision {
  outcome: 'grant' | 'refuse';
  /** Required for a refusal: the citizen is told why (a dispute leads to a formal decision). */
  reason?: string;
  decidedBySub: string;
  decidedAt: string; // ISO instant
}

/** What the status query answers: no personal data. */
export interface AccessRequestStatus {
  requestId: string;
  state: AccessRequestState;
  canton: CantonCode;
  unitId: string;
  service: string;
  requestedAt: string;
  remindersSent: number;
  nextReminderDueAt?: string;
  decision?: { outcome: 'grant' | 'refuse'; reason?: string; decidedAt: string };
  /** Art. 14.3: the access revoked for abuse or breach of the rules, with its reasons. */
  revocation?: { reasons: string[]; revokedAt: string };
  /** The unit's task in its inbox (behind `access-request-unit-task`). */
  taskId?: string;
}

/** Art. 14.3: what the unit gives when it revokes (personal data: under the request's data key). */
export interface AccessRevocation {
  requestId: string;
  reasons: string[];
  revokedBySub: string;
  revokedAt: string;
}

export interface AccessRevocationInput {
  requestId: string;
  canton: CantonCode;
  ruleSetId?: string;
  unitId: string;
  revocation: AccessRevocation;
}
