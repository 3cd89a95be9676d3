// Imports nothing but @temporalio/workflow and types, so the API and the identity provider can import it.
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { AccessRightsStatus, SignInElement } from '../../domain/access-rights';
import type { CantonCode } from '../../domain/profiles';

export const ACCESS_RIGHTS_PROCESS = 'access-rights';

/** Workflow id from the register's opaque user id only, never from a user code or a name. */
export const accessRightsWorkflowId = (userId: string) => `${ACCESS_RIGHTS_PROCESS}/${userId}`;
/** One task per block or deactivation: the n-th of this account. */
export const accessRightsTaskId = (userId: string, kind: 'access-rights-block' | 'account-deactivated', n: number) => `${userId}-${kind}-${n}`;

/** What a run hands to the next one (continue-as-new): the account's state, nothing else. */
export interface AccessRightsCarried {
  state: 'active' | 'locked';
  failuresInARow: number;
  lockedUntil?: string;
  lastSignInAt?: string;
  deactivatesAt: string;
  /** The deactivation day the warning went out for (a new sign-in moves the day: a new warning). */
  warnedFor?: string;
  /** Tasks opened so far (their ids count on) and the mirror's version. */
  tasksOpened: number;
  version: number;
  /** The generation of the access rights issued last (NE 3.1, 4.3); absent: issued before this was carried. */
  credentialsIssued?: number;
  /** The generation asked for last (NE 4.3: each replacement one more). */
  credentialsAsked?: number;
  /** The last replacement requests taken (their ids) and the generation each got. */
  replacementRequests?: { requestId: string; generation: number }[];
}

export interface AccessRightsInput {
  userId: string;
  canton: CantonCode;
  ruleSetId?: string;
  /** Set by the previous run only. */
  carried?: AccessRightsCarried;
  /** Updates a run takes before it continues as new (tests set a small one); default 200. */
  updatesPerRun?: number;
}

export const signInFailedUpdate = defineUpdate<AccessRightsStatus, [{ element: SignInElement }]>('signInFailed');
export const signInSucceededUpdate = defineUpdate<AccessRightsStatus, []>('signInSucceeded');
/** NE 4.3: lost or stolen access rights, replaced on the person's request (the Chancellery asks; the fee noted). */
export interface ReplaceCredentialsRequest {
  /** The Chancellery's staff member who took the request (the audit's actor). */
  by: string;
  /** The request's own id: the same request twice replaces once. */
  requestId: string;
}
export const replaceCredentialsUpdate = defineUpdate<{ generation: number }, [ReplaceCredentialsRequest]>('replaceCredentials');
export const accessRightsStatusQuery = defineQuery<AccessRightsStatus>('status');
