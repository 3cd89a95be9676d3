// Imports nothing but @temporalio/workflow and types, so the API can import it.
import { defineQuery } from '@temporalio/workflow';
import type { RepresentationState } from './types';

export const REPRESENTATION_WORKFLOW = 'representationContract';

/** From the request's id (a uuid) only: never from the person's data. */
export const representationWorkflowId = (requestId: string) => `representation/${requestId}`;
export const representationTaskId = (requestId: string, kind: string) => `${requestId}-${kind}`;
/** The represented person's subject on the counter: her own, with no sign-in of her own. */
export const representedSubOf = (requestId: string) => `represented:${requestId}`;

export const representationStateQuery = defineQuery<RepresentationState>('state');
