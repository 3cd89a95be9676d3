import { WorkflowIdReusePolicy } from '@temporalio/client';
import {
  acceptTermsUpdate,
  blockUpdate,
  cancelNoticeUpdate,
  ContractRejections,
  contractStateQuery,
  contractWorkflowId,
  giveNoticeUpdate,
  refuseTermsUpdate,
  reportMisuseUpdate,
  termsPublishedSignal,
  terminateUpdate,
  unblockUpdate,
} from '../../workflows/contract/definitions';
import type { ContractInput, ContractState, TermsAcceptanceIn, TermsNotice } from '../../workflows/contract/types';
import type { UpdateDefinition } from '@temporalio/common';
import { AppError } from '../errors';
import { WorkflowGateway, type RejectionStatuses, type Temporal } from './temporal';

export const contractRejections: RejectionStatuses = {
  [ContractRejections.ended]: 409,
  [ContractRejections.termsNotPending]: 422,
  [ContractRejections.refusalOpen]: 409,
  [ContractRejections.notApplicable]: 409,
};

const ended = () => new AppError(409, ContractRejections.ended, 'this contract has ended');

/** The user's and the Chancellery's acts on a contract, as Updates of its workflow. */
const ACTS = {
  acceptTerms: acceptTermsUpdate,
  refuseTerms: refuseTermsUpdate,
  reportMisuse: reportMisuseUpdate,
  giveNotice: giveNoticeUpdate,
  cancelNotice: cancelNoticeUpdate,
  block: blockUpdate,
  unblock: unblockUpdate,
  terminate: terminateUpdate,
} as const;
export type ContractAct = keyof typeof ACTS;
/** What each act carries (the ones about the person under the contract's data key). */
export type ContractActArgs = { [K in ContractAct]: (typeof ACTS)[K] extends UpdateDefinition<ContractState, [infer A]> ? A : never };

/**
 * Every start, signal, update and query of a contract's workflow — for the API and for the
 * worker's activities (the onboarding hand-off, terms rollouts), through the same client.
 */
export class ContractGateway extends WorkflowGateway {
  constructor(temporal: Temporal) {
    super(temporal, contractRejections);
  }

  private options(input: ContractInput) {
    // A contract's workflow runs once: a closed one (an ended contract) is never started again.
    return {
      workflowId: contractWorkflowId(input.contractId),
      args: [input] as [ContractInput],
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    };
  }

  /** Starts the contract's workflow; nothing when it is already running. */
  async start(input: ContractInput): Promise<void> {
    await this.startOnce('contract', this.options(input));
  }

  /** Tells a contract of a terms version, starting it when it is not running; false when its workflow has closed. */
  notifyTerms(input: ContractInput, notice: TermsNotice): Promise<boolean> {
    return this.signalWithStart('contract', { ...this.options(input), signal: termsPublishedSignal, signalArgs: [notice] });
  }

  state(contractId: string): Promise<ContractState | null> {
    return this.queryOrNull(contractWorkflowId(contractId), contractStateQuery);
  }

  act<K extends ContractAct>(contractId: string, act: K, arg: ContractActArgs[K]): Promise<ContractState> {
    return this.update(contractWorkflowId(contractId), ACTS[act] as typeof acceptTermsUpdate, [arg as TermsAcceptanceIn], ended);
  }
}
