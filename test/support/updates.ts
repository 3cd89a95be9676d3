// What a workflow Update's validator said when it refused: its ApplicationFailure type.
import { WorkflowUpdateFailedError } from '@temporalio/client';

export async function rejection(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) return (err.cause as { type?: string }).type;
    throw err;
  }
  throw new Error('the update was accepted');
}
