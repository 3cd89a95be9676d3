// The ContractEngine port over a Temporal client: the worker's own client, with the payload
// codec, so what it sends is encrypted like everything else.
import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy, type Client } from '@temporalio/client';
import { contractWorkflowId, termsPublishedSignal } from '../workflows/contract/definitions';
import type { ContractInput, TermsNotice } from '../workflows/contract/types';
import type { ContractEngine } from './ports';

export function createTemporalContractEngine(client: Client, taskQueue: string): ContractEngine {
  const options = (input: ContractInput) => ({
    taskQueue,
    workflowId: contractWorkflowId(input.contractId),
    args: [input] as [ContractInput],
    // A contract's workflow runs once: a closed one (an ended contract) is never started again.
    workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
  });
  return {
    async start(input) {
      try {
        await client.workflow.start('contract', options(input));
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      }
    },
    async notifyTerms(input, notice: TermsNotice) {
      try {
        await client.workflow.signalWithStart('contract', { ...options(input), signal: termsPublishedSignal, signalArgs: [notice] });
        return true;
      } catch (err) {
        if (err instanceof WorkflowExecutionAlreadyStartedError) return false;
        throw err;
      }
    },
  };
}
