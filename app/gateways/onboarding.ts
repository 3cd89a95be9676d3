import { WorkflowIdReusePolicy } from '@temporalio/client';
import { authorityAnswerUpdate, formalDecisionRequestUpdate, onboardingWorkflowId, Rejections, stateQuery } from '../../workflows/onboarding/definitions';
import type { AuthorityAnswer, OnboardingInput, OnboardingState } from '../../workflows/onboarding/types';
import { AppError } from '../errors';
import { WorkflowGateway, type RejectionStatuses, type Temporal } from './temporal';

export const onboardingRejections: RejectionStatuses = {
  [Rejections.notWaiting]: 409,
  [Rejections.periodOver]: 422,
};

/** Every start, update and query of an application's onboarding workflow. */
export class OnboardingGateway extends WorkflowGateway {
  constructor(temporal: Temporal) {
    super(temporal, onboardingRejections);
  }

  start(input: OnboardingInput): Promise<boolean> {
    return this.startOnce('onboarding', { workflowId: onboardingWorkflowId(input.applicationId), args: [input] });
  }

  /** Starts it only if no workflow of this application ever ran (within the namespace's retention). */
  startIfNeverStarted(input: OnboardingInput): Promise<boolean> {
    return this.startOnce('onboarding', {
      workflowId: onboardingWorkflowId(input.applicationId),
      args: [input],
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    });
  }

  state(applicationId: string): Promise<OnboardingState | null> {
    return this.queryOrNull(onboardingWorkflowId(applicationId), stateQuery);
  }

  answerAuthority(applicationId: string, answer: AuthorityAnswer): Promise<OnboardingState> {
    return this.update(
      onboardingWorkflowId(applicationId),
      authorityAnswerUpdate,
      [answer],
      () => new AppError(409, Rejections.notWaiting, 'this application is closed'),
    );
  }

  requestFormalDecision(applicationId: string, by: string): Promise<OnboardingState> {
    return this.update(
      onboardingWorkflowId(applicationId),
      formalDecisionRequestUpdate,
      [{ by }],
      () => new AppError(422, Rejections.periodOver, 'the period to ask for a formal decision is over'),
    );
  }
}
