// The application layer: one module per process, its use cases as plain functions of a
// caller and validated input. Routes call them; they call the gateways (Temporal), the
// records (PostgreSQL) and the access policy. Tests build them with fake gateways.
import type { CantonCode } from '../domain/profiles';
import type { Db } from '../infra/db';
import { accessRequestUseCases } from './access-requests';
import { caseUseCases } from './cases';
import { contactUseCases } from './contact';
import { transparencyUseCases } from './transparency';
import { contractGate } from './contract-gate';
import { contractUseCases } from './contracts';
import { decisionUseCases } from './decisions';
import { formalDecisionUseCases } from './formal-decisions';
import type { Gateways } from './gateways';
import { onboardingUseCases } from './onboarding';
import { retentionUseCases } from './retention';
import { taskUseCases } from './tasks';
import { viewUseCases } from './views';

export interface ApplicationDeps {
  db: Db;
  gateways: Gateways;
  canton: CantonCode;
  now?: () => Date;
}

export function createApplication({ db, gateways, canton, now }: ApplicationDeps) {
  const contractAllows = contractGate(db, canton);
  const formalDecisions = formalDecisionUseCases({ db, formalDecisions: gateways.formalDecisions, now });
  return {
    onboarding: onboardingUseCases({ db, onboarding: gateways.onboarding, formalDecisions, canton, now }),
    accessRequests: accessRequestUseCases({ db, accessRequests: gateways.accessRequests, contractAllows, canton, now }),
    decisions: decisionUseCases({ db, decisions: gateways.decisions, contractAllows, canton, now }),
    contracts: contractUseCases({ db, contracts: gateways.contracts, termsRollouts: gateways.termsRollouts, canton, now }),
    tasks: taskUseCases({ db, tasks: gateways.tasks, now }),
    retention: retentionUseCases({ db, retention: gateways.retention }),
    views: viewUseCases({ db }),
    contact: contactUseCases({ db }),
    transparency: transparencyUseCases({ db, now }),
    cases: caseUseCases({ db, now }),
    formalDecisions,
  };
}

export type Application = ReturnType<typeof createApplication>;
export type { Caller } from './caller';
