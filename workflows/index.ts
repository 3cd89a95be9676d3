// Every workflow the worker runs.
export { accessRequest } from './access-request/workflow';
export { onboarding } from './onboarding/workflow';
export { decisionService } from './decision-service/workflow';
