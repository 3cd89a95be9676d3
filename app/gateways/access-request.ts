import type { CantonCode } from '../../domain/profiles';
import {
  accessRequestWorkflowId,
  accessRevocationWorkflowId,
  ALREADY_DECIDED,
  decideUpdate,
  REASON_REQUIRED,
  statusQuery,
} from '../../workflows/access-request/definitions';
import type { AccessRequestInput, AccessRequestStatus, AccessRevocation, UnitDecision } from '../../workflows/access-request/types';
import { AppError } from '../errors';
import { WorkflowGateway, type RejectionStatuses, type Temporal } from './temporal';

export const accessRequestRejections: RejectionStatuses = { [ALREADY_DECIDED]: 409, [REASON_REQUIRED]: 400 };

/** Every start, update and query of an access request's workflow. */
export class AccessRequestGateway extends WorkflowGateway {
  constructor(temporal: Temporal) {
    super(temporal, accessRequestRejections);
  }

  /** False when a request of this id runs already (a retry with the same Idempotency-Key). */
  start(input: AccessRequestInput): Promise<boolean> {
    return this.startOnce('accessRequest', { workflowId: accessRequestWorkflowId(input.requestId), args: [input] });
  }

  status(requestId: string): Promise<AccessRequestStatus | null> {
    return this.queryOrNull(accessRequestWorkflowId(requestId), statusQuery);
  }

  /** Once decided, the workflow ends: a later decision finds it closed. */
  decide(requestId: string, decision: UnitDecision): Promise<AccessRequestStatus> {
    return this.update(
      accessRequestWorkflowId(requestId),
      decideUpdate,
      [decision],
      () => new AppError(409, 'conflict', 'this request has already been decided'),
    );
  }
}

/** Art. 14.3: the revocation's process, once per access (a second start is the same revocation). */
export class AccessRevocationGateway extends WorkflowGateway {
  constructor(temporal: Temporal) {
    super(temporal, {});
  }

  revoke(revocation: AccessRevocation, on: { requestId: string; canton: CantonCode; unitId: string }): Promise<boolean> {
    return this.startOnce('accessRevocation', { workflowId: accessRevocationWorkflowId(on.requestId), args: [{ ...on, revocation }] });
  }
}
