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
import { blockLiftedByDecisionSignal } from '../../workflows/formal-decision/definitions';
import { personalData } from '../../workflows/personal-data';
import type { UpdateDefinition } from '@temporalio/common';
import { AppError } from '../errors';
import { WorkflowGateway, WorkflowGoneError, type RejectionStatuses, type Temporal } from './temporal';

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

  /** A formal decision lifts a kept block (Art. 5.3); the clauses are under the contract's data key. */
  async liftBlockByDecision(contractId: string, lift: { requestId: string; by: string; clauses: string[]; taskId: string }): Promise<void> {
    try {
      await this.signal(contractWorkflowId(contractId), blockLiftedByDecisionSignal, personalData('contract', contractId, lift));
    } catch (err) {
      // The contract ended meanwhile: no block left to lift.
      if (!(err instanceof WorkflowGoneError)) throw err;
    }
  }

  /** A formal decision annulled the contract's end: a new run of its workflow, from the stored facts. */
  async restore(input: ContractInput): Promise<void> {
    await this.startOnce('contract', { ...this.options(input), workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE });
  }

  state(contractId: string): Promise<ContractState | null> {
    return this.queryOrNull(contractWorkflowId(contractId), contractStateQuery);
  }

  act<K extends ContractAct>(contractId: string, act: K, arg: ContractActArgs[K]): Promise<ContractState> {
    return this.update(contractWorkflowId(contractId), ACTS[act] as typeof acceptTermsUpdate, [arg as TermsAcceptanceIn], ended);
  }
}
