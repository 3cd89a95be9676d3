import { entityOnboardingWorkflowId, entityStateQuery } from '../../workflows/entity-onboarding/definitions';
import type { EntityOnboardingInput, EntityOnboardingState } from '../../workflows/entity-onboarding/types';
import { WorkflowGateway, type Temporal } from './temporal';

/** Every start and query of an entity's onboarding workflow (its tasks go through the task gateway). */
export class EntityOnboardingGateway extends WorkflowGateway {
  constructor(temporal: Temporal) {
    super(temporal, {});
  }

  start(input: EntityOnboardingInput): Promise<boolean> {
    return this.startOnce('entityOnboarding', { workflowId: entityOnboardingWorkflowId(input.applicationId), args: [input] });
  }

  state(applicationId: string): Promise<EntityOnboardingState | null> {
    return this.queryOrNull(entityOnboardingWorkflowId(applicationId), entityStateQuery);
  }
}
