// One typed gateway per workflow: the only code that starts, signals, updates or queries it.
import { AccessRequestGateway, AccessRevocationGateway } from './access-request';
import { TransactionGateway } from './transaction';
import { AccessRightsGateway } from './access-rights';
import { ContractGateway } from './contract';
import { DecisionServiceGateway } from './decision-service';
import { EntityOnboardingGateway } from './entity-onboarding';
import { FormalDecisionGateway } from './formal-decision';
import { OnboardingGateway } from './onboarding';
import { ProxyGateway } from './proxy';
import { RepresentationGateway } from './representation';
import { RetentionGateway } from './retention';
import { TaskGateway } from './task';
import { TermsRolloutGateway } from './terms-rollout';
import type { Temporal } from './temporal';

export function createGateways(temporal: Temporal, rollout?: { batchSize?: number; batchesPerRun?: number }) {
  return {
    onboarding: new OnboardingGateway(temporal),
    accessRequests: new AccessRequestGateway(temporal),
    accessRevocations: new AccessRevocationGateway(temporal),
    transactions: new TransactionGateway(temporal),
    decisions: new DecisionServiceGateway(temporal),
    contracts: new ContractGateway(temporal),
    tasks: new TaskGateway(temporal),
    termsRollouts: new TermsRolloutGateway(temporal, rollout),
    retention: new RetentionGateway(temporal),
    formalDecisions: new FormalDecisionGateway(temporal),
    proxies: new ProxyGateway(temporal),
    entityOnboarding: new EntityOnboardingGateway(temporal),
    representations: new RepresentationGateway(temporal),
    accessRights: new AccessRightsGateway(temporal),
  };
}

export type Gateways = ReturnType<typeof createGateways>;
export { WorkflowGoneError, type Temporal } from './temporal';

/** The contract workflows as the worker's activities see them (the ContractEngine port). */
export const createTemporalContractEngine = (client: Temporal['client'], taskQueue: string, ruleSetId?: string) =>
  new ContractGateway({ client, taskQueue, ruleSetId });
/** The onboarding workflows, for the worker's sweep of applications stored without one (app/onboarding.ts). */
export const createTemporalOnboardings = (client: Temporal['client'], taskQueue: string, ruleSetId?: string) =>
  new OnboardingGateway({ client, taskQueue, ruleSetId });
/** The retention processes as the worker's activities see them (the RetentionEngine port). */
export const createTemporalRetentionEngine = (client: Temporal['client'], taskQueue: string, ruleSetId?: string) =>
  new RetentionGateway({ client, taskQueue, ruleSetId });
/** The proxy workflows as the worker's activities see them (the ProxyEngine port). */
export const createTemporalProxyEngine = (client: Temporal['client'], taskQueue: string, ruleSetId?: string) =>
  new ProxyGateway({ client, taskQueue, ruleSetId });
/**
 * Neuchâtel's access rights as the identity provider's process sees them (the AccessRightsPort),
 * with `start(userId)` for a concluded contract; its processes follow `ruleSetId`.
 */
export const createTemporalAccessRights = (client: Temporal['client'], taskQueue: string, ruleSetId: string) =>
  new AccessRightsGateway({ client, taskQueue, ruleSetId });
export { AccessRightsGateway } from './access-rights';
