// Every workflow the worker runs.
export { accessRequest } from './access-request/workflow';
export { onboarding } from './onboarding/workflow';
export { decisionService } from './decision-service/workflow';
export { contract } from './contract/workflow';
export { termsRollout } from './terms-rollout/workflow';
export { retention } from './retention/workflow';
export { formalDecision } from './formal-decision/workflow';
