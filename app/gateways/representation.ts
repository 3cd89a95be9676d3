import { representationStateQuery, representationWorkflowId } from '../../workflows/representation/definitions';
import type { RepresentationInput, RepresentationState } from '../../workflows/representation/types';
import { WorkflowGateway, type Temporal } from './temporal';

/** Every start and query of a representation's workflow (its task goes through the TaskGateway). */
export class RepresentationGateway extends WorkflowGateway {
  constructor(temporal: Temporal) {
    super(temporal, {});
  }

  start(input: RepresentationInput): Promise<boolean> {
    return this.startOnce('representationContract', { workflowId: representationWorkflowId(input.requestId), args: [input] });
  }

  state(requestId: string): Promise<RepresentationState | null> {
    return this.queryOrNull(representationWorkflowId(requestId), representationStateQuery);
  }
}
