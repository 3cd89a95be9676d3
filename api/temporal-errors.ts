import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { ApiError } from './errors';

/**
 * Runs an Update and turns its validator's refusals into API errors: `answers` maps each
 * ApplicationFailure type to the HTTP status it means. A closed workflow waits for nothing.
 */
export async function runUpdate<T>(update: () => Promise<T>, answers: Record<string, number>, closed: () => ApiError): Promise<T> {
  try {
    return await update();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw closed();
    const cause = err instanceof WorkflowUpdateFailedError ? err.cause : undefined;
    if (cause instanceof ApplicationFailure && cause.type && answers[cause.type]) {
      const status = answers[cause.type]!;
      const code = status === 409 ? 'conflict' : status === 422 ? 'unprocessable' : 'validation_failed';
      throw new ApiError(status, code, cause.message);
    }
    throw err;
  }
}
