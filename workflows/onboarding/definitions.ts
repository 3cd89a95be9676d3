// Imports nothing but @temporalio/workflow and types, so the API can import it.
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import { TaskRejections, type TaskClaim, type TaskCompletion } from '../task/definitions';
import type { AuthorityAnswer, OnboardingState } from './types';

export const ONBOARDING_PROCESS = 'onboarding';

export const onboardingWorkflowId = (applicationId: string) => `${ONBOARDING_PROCESS}/${applicationId}`;
export const taskIdFor = (applicationId: string, kind: string) => `${applicationId}-${kind}`;

export const stateQuery = defineQuery<OnboardingState>('state');

// Human steps are Updates: their validators say "no" synchronously (the API answers 409/400).
// The task ones (claim, release, complete) are shared by every process (../task/definitions);
// these are the same Updates, typed with the onboarding's answer.
export const claimTaskUpdate = defineUpdate<OnboardingState, [TaskClaim]>('claimTask');
export const releaseTaskUpdate = defineUpdate<OnboardingState, [TaskClaim]>('releaseTask');
export const completeTaskUpdate = defineUpdate<OnboardingState, [TaskCompletion]>('completeTask');
export const authorityAnswerUpdate = defineUpdate<OnboardingState, [AuthorityAnswer]>('authorityAnswer');
export const formalDecisionRequestUpdate = defineUpdate<OnboardingState, [{ by: string }]>('requestFormalDecision');

/** ApplicationFailure types the validators throw; the API maps them to HTTP answers. */
export const Rejections = {
  ...TaskRejections,
  /** 409: the process is not waiting for this */
  notWaiting: 'NotWaitingForThis',
  /** 422: the period to ask for a formal decision is over */
  periodOver: 'PeriodOver',
} as const;
