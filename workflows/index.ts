// Every workflow the worker runs.
export { accessRequest, accessRevocation } from './access-request/workflow';
export { onboarding } from './onboarding/workflow';
export { decisionService } from './decision-service/workflow';
export { contract } from './contract/workflow';
export { termsRollout } from './terms-rollout/workflow';
export { retention } from './retention/workflow';
export { formalDecision } from './formal-decision/workflow';
export { proxy } from './proxy/workflow';
export { entityOnboarding } from './entity-onboarding/workflow';
export { representationContract } from './representation/workflow';
export { accessRights } from './access-rights/workflow';
export { transaction } from './transaction/workflow';
