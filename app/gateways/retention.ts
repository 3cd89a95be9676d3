import { WorkflowIdReusePolicy } from '@temporalio/client';
import { holdsChangedSignal, retentionWorkflowId, type RecordKind, type RetentionInput } from '../../workflows/retention/definitions';
import { WorkflowGateway, WorkflowGoneError, type Temporal } from './temporal';

/** A record's retention process: started once its event day is known, woken when its legal holds change. */
export class RetentionGateway extends WorkflowGateway {
  constructor(temporal: Temporal) {
    super(temporal, {});
  }

  /** Starts the record's retention process; nothing when it exists already. */
  async schedule(input: RetentionInput): Promise<void> {
    // One retention per record: a destroyed record (a completed run) is not scheduled again;
    // one cancelled because its event day became void (a terminated run) is.
    await this.startOnce('retention', {
      workflowId: retentionWorkflowId(input.recordKind, input.recordId),
      args: [input],
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
    });
  }

  /** Stops the record's retention process before it destroys anything (its event day is void). */
  async cancel(kind: RecordKind, id: string): Promise<void> {
    try {
      await this.temporal.client.workflow
        .getHandle(retentionWorkflowId(kind, id))
        .terminate('its event day is void: the contract end was annulled by a formal decision');
    } catch (err) {
      if ((err as Error).name !== 'WorkflowNotFoundError') throw err;
    }
  }

  /** Tells the record's retention process that its legal holds changed (nothing if it has none). */
  async holdsChanged(kind: RecordKind, id: string): Promise<void> {
    try {
      await this.signal(retentionWorkflowId(kind, id), holdsChangedSignal);
    } catch (err) {
      // Not started yet (its period has not begun) or already over: it reads the holds when it gets there.
      if (!(err instanceof WorkflowGoneError)) throw err;
    }
  }
}
