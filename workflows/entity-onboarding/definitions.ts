// Imports nothing but @temporalio/workflow and types, so the API can import it.
import { defineQuery } from '@temporalio/workflow';
import type { EntityOnboardingState } from './types';

export const ENTITY_ONBOARDING_PROCESS = 'entity-onboarding';

/** Workflow id from the application id only, never from the UID or a name. */
export const entityOnboardingWorkflowId = (applicationId: string) => `${ENTITY_ONBOARDING_PROCESS}/${applicationId}`;
export const entityTaskIdFor = (applicationId: string, kind: 'entity-powers' | 'written-contract') => `${applicationId}-${kind}`;

export const entityStateQuery = defineQuery<EntityOnboardingState>('state');
