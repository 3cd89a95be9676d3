import { decisionServiceWorkflowId, NOT_IN_INBOX, openUpdate, postalEventSignal, serviceStateQuery } from '../../workflows/decision-service/definitions';
import type { DecisionServiceInput, DecisionServiceState, PostalEventIn } from '../../workflows/decision-service/types';
import { AppError } from '../errors';
import { WorkflowGateway, type RejectionStatuses, type Temporal } from './temporal';

export const decisionServiceRejections: RejectionStatuses = { [NOT_IN_INBOX]: 409 };

/** Every start, signal, update and query of a decision's service workflow. */
export class DecisionServiceGateway extends WorkflowGateway {
  constructor(temporal: Temporal) {
    super(temporal, decisionServiceRejections);
  }

  start(input: DecisionServiceInput): Promise<boolean> {
    return this.startOnce('decisionService', { workflowId: decisionServiceWorkflowId(input.decisionId), args: [input] });
  }

  state(decisionId: string): Promise<DecisionServiceState | null> {
    return this.queryOrNull(decisionServiceWorkflowId(decisionId), serviceStateQuery);
  }

  open(decisionId: string): Promise<DecisionServiceState> {
    return this.update(decisionServiceWorkflowId(decisionId), openUpdate, [], () => new AppError(409, 'conflict', 'this decision is no longer waiting'));
  }

  /** WorkflowGoneError when the service is over (the event is then only recorded). */
  postalEvent(decisionId: string, event: PostalEventIn): Promise<void> {
    return this.signal(decisionServiceWorkflowId(decisionId), postalEventSignal, event);
  }
}
