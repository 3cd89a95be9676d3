import { WorkflowIdReusePolicy } from '@temporalio/client';
import { rolloutProgressQuery, rolloutTaskQueue, termsRolloutWorkflowId, type RolloutProgress } from '../../workflows/terms-rollout/definitions';
import { WorkflowGateway, type Temporal } from './temporal';

/** The start and the progress query of a terms version's rollout. */
export class TermsRolloutGateway extends WorkflowGateway {
  constructor(
    temporal: Temporal,
    private readonly batches: { batchSize?: number; batchesPerRun?: number } = {},
  ) {
    super(temporal, {});
  }

  /**
   * Idempotent: a retry of the publication finds the rollout running or done and starts
   * nothing; only a rollout that failed or was terminated runs again (a second run of a done
   * one would notify, later on, contracts that came after it). On the rollouts' own task queue.
   */
  start(version: string): Promise<boolean> {
    return this.startOnce(
      'termsRollout',
      {
        workflowId: termsRolloutWorkflowId(version),
        args: [{ version, ...this.batches }],
        workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
      },
      rolloutTaskQueue(this.temporal.taskQueue),
    );
  }

  /**
   * While it runs, its answer; once done, what it returned. Null when no rollout of this version
   * is on the server (never started, failed, or gone from it).
   */
  async progress(version: string): Promise<RolloutProgress | null> {
    const id = termsRolloutWorkflowId(version);
    return (await this.queryOrNull(id, rolloutProgressQuery)) ?? this.resultOrNull<RolloutProgress>(id);
  }
}
