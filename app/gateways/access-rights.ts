// Neuchâtel's access rights (NE 7.1, 7.4, 7.6): the start of each account's process, and the
// port the identity provider calls (domain/access-rights.ts) as Updates and a query on it.
import { WorkflowIdReusePolicy } from '@temporalio/client';
import type { AccessRightsPort, AccessRightsStatus, SignInElement } from '../../domain/access-rights';
import { ruleSetById } from '../../domain/rule-sets';
import {
  accessRightsStatusQuery,
  accessRightsWorkflowId,
  replaceCredentialsUpdate,
  signInFailedUpdate,
  signInSucceededUpdate,
  type ReplaceCredentialsRequest,
} from '../../workflows/access-rights/definitions';
import { AppError } from '../errors';
import { WorkflowGateway, type Temporal } from './temporal';

const noProcess = () => new AppError(404, 'not-found', 'no access rights process for this account');

/** Every start, Update and query of an account's access-rights process. */
export class AccessRightsGateway extends WorkflowGateway implements AccessRightsPort {
  constructor(temporal: Temporal) {
    super(temporal, {});
  }

  /**
   * Starts the account's process; false when it runs already (the same account again, e.g. a
   * second contract). A process that failed or was terminated may start again, with a fresh
   * state; one that ended normally (a rule set without access rights) does not.
   */
  start(userId: string, ruleSetId: string | undefined = this.temporal.ruleSetId): Promise<boolean> {
    if (!ruleSetId) throw new Error('the access rights gateway needs the rule set (or the deployment rule set) to start a process');
    return this.startOnce('accessRights', {
      workflowId: accessRightsWorkflowId(userId),
      // Pinned: the account's process keeps the rule set it started with (DOMAIN.md §6).
      args: [{ userId, canton: ruleSetById(ruleSetId).canton, ruleSetId }],
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
    });
  }

  /** null: no process for this account (never started). */
  status(userId: string): Promise<AccessRightsStatus | null> {
    return this.queryOrNull(accessRightsWorkflowId(userId), accessRightsStatusQuery);
  }

  failed(userId: string, element: SignInElement): Promise<AccessRightsStatus> {
    return this.update(accessRightsWorkflowId(userId), signInFailedUpdate, [{ element }], noProcess);
  }

  /** The state after it: anything but `active` means the sign-in is refused (a success reported while locked changes nothing). */
  succeeded(userId: string): Promise<AccessRightsStatus> {
    return this.update(accessRightsWorkflowId(userId), signInSucceededUpdate, [], noProcess);
  }

  /** NE 4.3: replaces the account's access rights (new letters); resolves with their generation once posted. */
  replaceCredentials(userId: string, request: ReplaceCredentialsRequest): Promise<{ generation: number }> {
    return this.update(accessRightsWorkflowId(userId), replaceCredentialsUpdate, [request], noProcess);
  }

  /** NE 4.3: what a replacement costs, in the deployment's rule set. */
  replacementFee(): { amountChf: number | null; notice: string } {
    const fee = this.temporal.ruleSetId ? ruleSetById(this.temporal.ruleSetId).accessRights?.credentials.replacementFee : undefined;
    return fee ?? { amountChf: null, notice: '' };
  }

  /** Whether the deployment's rule set has access rights of its own (NE: yes; JU signs in with the e-ID). */
  applies(): boolean {
    return !!this.temporal.ruleSetId && ruleSetById(this.temporal.ruleSetId).accessRights !== null;
  }
}
