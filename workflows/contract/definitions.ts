// Imports nothing but @temporalio/workflow and types, so the API can import it.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ContractState, TermsAcceptanceIn, TermsNotice } from './types';

export const CONTRACT_PROCESS = 'contract';

export const contractWorkflowId = (contractId: string) => `${CONTRACT_PROCESS}/${contractId}`;
export const termsRefusalTaskId = (contractId: string, n: number) => `${contractId}-terms-refusal-${n}`;

export const contractStateQuery = defineQuery<ContractState>('contractState');

/** From the rollout: a new terms version (idempotent; an older one changes nothing). */
export const termsPublishedSignal = defineSignal<[TermsNotice]>('termsPublished');

// The user's and the Chancellery's acts are Updates: the validator says "no" at once (the
// API answers 409/422), the handler answers once the contract has acted on it.
export const acceptTermsUpdate = defineUpdate<ContractState, [TermsAcceptanceIn]>('acceptTerms');
export const refuseTermsUpdate = defineUpdate<ContractState, [{ version: string; by: string }]>('refuseTerms');
export const reportMisuseUpdate = defineUpdate<ContractState, [{ by: string }]>('reportMisuse');
export const blockUpdate = defineUpdate<ContractState, [{ by: string; reason: string }]>('block');
export const unblockUpdate = defineUpdate<ContractState, [{ by: string; justification: string }]>('unblock');
export const giveNoticeUpdate = defineUpdate<ContractState, [{ by: string }]>('giveNotice');
export const cancelNoticeUpdate = defineUpdate<ContractState, [{ by: string }]>('cancelNotice');
export const terminateUpdate = defineUpdate<ContractState, [{ by: string; reasons: string[] }]>('terminate');

/** ApplicationFailure types the validators throw; the API maps them to HTTP answers. */
export const ContractRejections = {
  /** 409: the contract has ended */
  ended: 'ContractEnded',
  /** 422: this terms version is not the one waiting for acceptance */
  termsNotPending: 'TermsNotPending',
  /** 409: a refusal of this version is already with the Chancellery */
  refusalOpen: 'TermsRefusalOpen',
  /** 409: not blocked / no notice running / notice already given */
  notApplicable: 'NotApplicable',
} as const;
