import { WorkflowIdReusePolicy } from '@temporalio/client';
import {
  formalDecisionStateQuery,
  formalDecisionWorkflowId,
  type FormalDecisionInput,
  type FormalDecisionState,
} from '../../workflows/formal-decision/definitions';
import { WorkflowGateway, type Temporal } from './temporal';

/** Every start and query of a formal decision's process; its task goes through the task gateway. */
export class FormalDecisionGateway extends WorkflowGateway {
  constructor(temporal: Temporal) {
    super(temporal, {});
  }

  /** Starts the process; nothing when it exists already (one per request, ever). */
  async start(input: FormalDecisionInput): Promise<void> {
    await this.startOnce('formalDecision', {
      workflowId: formalDecisionWorkflowId(input.requestId),
      args: [input],
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    });
  }

  state(requestId: string): Promise<FormalDecisionState | null> {
    return this.queryOrNull(formalDecisionWorkflowId(requestId), formalDecisionStateQuery);
  }
}
