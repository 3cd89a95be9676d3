// Imports nothing but @temporalio/workflow and types, so the API can import it.
import { defineQuery } from '@temporalio/workflow';

export const TERMS_ROLLOUT_PROCESS = 'terms-rollout';

export const termsRolloutWorkflowId = (version: string) => `${TERMS_ROLLOUT_PROCESS}/${version}`;

/**
 * The rollouts' own task queue beside the deployment's (TEMPORAL_TASK_QUEUE): a rollout and its
 * batches never wait behind the backlog of the contracts it notifies. Every worker process polls both.
 */
export const rolloutTaskQueue = (taskQueue: string) => `${taskQueue}-rollouts`;

export interface RolloutProgress {
  /** Contracts notified so far (e-mail sent and the contract's workflow told) */
  notified: number;
  /** Batches done so far */
  batches: number;
  /** Keyset position: the last contract id notified */
  afterId: string | null;
  done: boolean;
  /** How many runs the rollout's history spans (continue-as-new) */
  runs: number;
}

export interface TermsRolloutInput {
  version: string;
  /** Contracts per batch (one activity each) */
  batchSize?: number;
  /** Batches per run before it continues as new */
  batchesPerRun?: number;
  progress?: RolloutProgress;
}

export const rolloutProgressQuery = defineQuery<RolloutProgress>('rolloutProgress');
