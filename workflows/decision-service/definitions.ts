// Imports nothing but @temporalio/workflow and types, so the API can import it.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { DecisionServiceState, PostalEventIn } from './types';

export const DECISION_SERVICE_PROCESS = 'decision-service';
export const decisionServiceWorkflowId = (decisionId: string) => `${DECISION_SERVICE_PROCESS}/${decisionId}`;
export const postalTrackingTaskId = (decisionId: string) => `${decisionId}-postal-tracking`;

export const serviceStateQuery = defineQuery<DecisionServiceState>('state');
/** The recipient opens the decision in the counter (the workflow's clock stamps it). */
export const openUpdate = defineUpdate<DecisionServiceState, []>('open');
/** A tracking event of the registered letter, from the postal service. */
export const postalEventSignal = defineSignal<[PostalEventIn]>('postalEvent');

export const NOT_IN_INBOX = 'NotInInbox';
