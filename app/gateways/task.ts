import { claimTaskUpdate, completeTaskUpdate, releaseTaskUpdate, TaskRejections, type TaskClaim, type TaskCompletion } from '../../workflows/task/definitions';
import { AppError } from '../errors';
import { WorkflowGateway, type RejectionStatuses, type Temporal } from './temporal';

export const taskRejections: RejectionStatuses = {
  [TaskRejections.taskNotOpen]: 409,
  [TaskRejections.taskClaimed]: 409,
  [TaskRejections.notClaimedByCaller]: 409,
  [TaskRejections.incomplete]: 400,
};

const done = () => new AppError(409, TaskRejections.taskNotOpen, 'this task is already done');

/**
 * The human task's Updates, sent to whichever workflow holds the task (an onboarding, a
 * contract): the workflow's validator is the single judge of "already done" and "not yours".
 */
export class TaskGateway extends WorkflowGateway {
  constructor(temporal: Temporal) {
    super(temporal, taskRejections);
  }

  claim(workflowId: string, claim: TaskClaim): Promise<unknown> {
    return this.update(workflowId, claimTaskUpdate, [claim], done);
  }

  release(workflowId: string, claim: TaskClaim): Promise<unknown> {
    return this.update(workflowId, releaseTaskUpdate, [claim], done);
  }

  complete(workflowId: string, completion: TaskCompletion): Promise<unknown> {
    return this.update(workflowId, completeTaskUpdate, [completion], done);
  }
}
