// The RetentionEngine port over a Temporal client (with the payload codec).
import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { holdsChangedSignal, retentionWorkflowId } from '../workflows/retention/definitions';
import type { RetentionEngine } from './ports';

export function createTemporalRetentionEngine(client: Client, taskQueue: string): RetentionEngine {
  return {
    async schedule(input) {
      try {
        await client.workflow.start('retention', {
          taskQueue,
          workflowId: retentionWorkflowId(input.recordKind, input.recordId),
          args: [input],
          // One retention per record, ever: a destroyed record is not scheduled again.
          workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        });
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      }
    },
    async holdsChanged(kind, id) {
      try {
        await client.workflow.getHandle(retentionWorkflowId(kind, id)).signal(holdsChangedSignal);
      } catch (err) {
        // Not started yet (its period has not begun) or already over: it reads the holds when it gets there.
        if (!(err instanceof WorkflowNotFoundError)) throw err;
      }
    },
  };
}
