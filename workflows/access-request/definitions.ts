// Imports nothing but @temporalio/workflow and types, so the API can import it.
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { AccessRequestStatus, UnitDecision } from './types';

export const ACCESS_REQUEST_PROCESS = 'access-request';

/** Workflow id from the business id only — never from personal data, a clock or chance. */
export const accessRequestWorkflowId = (requestId: string) => `${ACCESS_REQUEST_PROCESS}/${requestId}`;

export const ACCESS_REVOCATION_PROCESS = 'access-revocation';
/** One revocation per access: a second start finds it. */
export const accessRevocationWorkflowId = (requestId: string) => `${ACCESS_REVOCATION_PROCESS}/${requestId}`;

/** The unit's task in its own inbox: one per request. */
export const accessRequestTaskId = (requestId: string) => `access-request-${requestId}`;

export const statusQuery = defineQuery<AccessRequestStatus>('status');

/** The unit's decision. Its validator refuses a second decision and a refusal without reason. */
export const decideUpdate = defineUpdate<AccessRequestStatus, [UnitDecision]>('decide');

/** Error types the validator throws, mapped to HTTP answers by the API. */
export const ALREADY_DECIDED = 'AlreadyDecided';
export const REASON_REQUIRED = 'ReasonRequired';
