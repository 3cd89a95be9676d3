// The application layer: one module per process, its use cases as plain functions of a
// caller and validated input. Routes call them; they call the gateways (Temporal), the
// records (PostgreSQL) and the access policy. Tests build them with fake gateways.
import type { CantonCode } from '../domain/profiles';
import type { Db } from '../infra/db';
import { accessRequestUseCases } from './access-requests';
import { accessRightsUseCases } from './access-rights';
import { caseUseCases } from './cases';
import { contactUseCases } from './contact';
import { transparencyUseCases } from './transparency';
import { contractGate } from './contract-gate';
import { contractUseCases } from './contracts';
import { decisionUseCases } from './decisions';
import { formalDecisionUseCases } from './formal-decisions';
import type { Gateways } from './gateways';
import { assistedSessionUseCases } from './assisted-sessions';
import { identityUseCases } from './identity';
import { proxyUseCases } from './proxies';
import { personRepresentationUseCases } from './representation';
import { entityUseCases } from './entities';
import { representationUseCases } from './representations';
import { onboardingUseCases } from './onboarding';
import type { SignatureVerifier } from './signatures';
import type { EidVerifier } from '../infra/eid/verifier-client';
import { retentionUseCases } from './retention';
import { taskUseCases } from './tasks';
import { viewUseCases } from './views';
import { newestRuleSet, ruleSetById } from '../domain/rule-sets';
import { registeredPhones, transactionCodeUseCases, type PhoneDirectory, type SensitiveServices, type SmsSender } from './transaction-codes';
import { randomBytes } from 'node:crypto';
import { signInUseCases } from './sign-in';
import { serviceUseCases } from './services';
import { transactionUseCases } from './transactions';
import type { PaymentProvider } from '../infra/payments';

export interface ApplicationDeps {
  db: Db;
  gateways: Gateways;
  canton: CantonCode;
  /** The canton's e-ID verifier (Art. 3); null: none configured, e-ID routes answer 503. */
  eid?: EidVerifier | null;
  /** How long a verified e-ID presentation may be used for an application. */
  eidProofValidityMs?: number;
  /** Verifies qualified signatures against the recognised authorities; null: none configured. */
  signatures?: SignatureVerifier | null;
  /** The deployment's rule set (default the canton's newest). */
  ruleSetId?: string;
  /** NE 4.1, 4.5: the SMS of sign-in and transaction codes. `sms` null: none configured, asking for a code answers 503. */
  transactionCodes?: {
    sms?: SmsSender | null;
    phones?: PhoneDirectory;
    /** HMAC key (transactionCodeKeyFrom); default a random one, valid for this process only. */
    key?: Buffer;
    sensitive?: SensitiveServices;
  };
  /** Online payment of fees (absent: QR-bills only) and where the provider calls back. */
  payments?: { provider: PaymentProvider; urls: { webhook: string; success: string; cancel: string; error: string } } | null;
  /** The seal's certificate (PEM) served at /v1/seal/certificate. */
  sealCertificatePem?: string | null;
  now?: () => Date;
}

export function createApplication({
  db,
  gateways,
  canton,
  eid = null,
  eidProofValidityMs,
  signatures = null,
  ruleSetId,
  transactionCodes: codes = {},
  payments = null,
  sealCertificatePem = null,
  now,
}: ApplicationDeps) {
  const contractAllows = contractGate(db, canton);
  const services = serviceUseCases({ db, now });
  const codeKey = codes.key ?? randomBytes(32);
  const transactionCodes = transactionCodeUseCases({
    db,
    ruleSet: ruleSetId ? ruleSetById(ruleSetId) : newestRuleSet(canton),
    sms: codes.sms ?? null,
    phones: codes.phones ?? registeredPhones(db),
    key: codeKey,
    // NE 4.5: the catalogue's flag where it knows the service, else the rule set's list.
    sensitive: codes.sensitive ?? services.sensitive,
    now,
  });
  const formalDecisions = formalDecisionUseCases({ db, formalDecisions: gateways.formalDecisions, now });
  const identity = identityUseCases({ db, eid, proofValidityMs: eidProofValidityMs, now });
  const sessions = assistedSessionUseCases({ db, canton, now });
  const proxies = proxyUseCases({ db, proxies: gateways.proxies, canton, now });
  const entities = entityUseCases({ db, entityOnboarding: gateways.entityOnboarding, signatures, contractAllows, canton, now });
  const accessRequests = accessRequestUseCases({
    db,
    accessRequests: gateways.accessRequests,
    revocations: gateways.accessRevocations,
    contractAllows,
    sessions,
    proxies,
    entities,
    canton,
    transactionCodes,
    now,
  });
  return {
    identity,
    sessions,
    proxies,
    entities,
    representations: representationUseCases({ db, representations: gateways.representations, canton, now }),
    onboarding: onboardingUseCases({ db, onboarding: gateways.onboarding, formalDecisions, identity, signatures, sessions, canton, now }),
    accessRequests,
    transactions: transactionUseCases({
      db,
      transactions: gateways.transactions,
      accessRequests,
      contractAllows,
      canton,
      transactionCodes,
      payments: payments?.provider,
      paymentUrls: payments?.urls,
      now,
    }),
    sealCertificatePem,
    decisions: decisionUseCases({ db, decisions: gateways.decisions, contractAllows, proxies, canton, transactionCodes, now }),
    transactionCodes,
    contracts: contractUseCases({ db, contracts: gateways.contracts, termsRollouts: gateways.termsRollouts, signatures, canton, now }),
    tasks: taskUseCases({ db, tasks: gateways.tasks, now }),
    retention: retentionUseCases({ db, retention: gateways.retention }),
    views: viewUseCases({ db }),
    contact: contactUseCases({ db }),
    transparency: transparencyUseCases({ db, now }),
    cases: caseUseCases({ db, now }),
    representation: personRepresentationUseCases({ db }),
    formalDecisions,
    services,
    accessRights: accessRightsUseCases({ db, accessRights: gateways.accessRights }),
    signIn: signInUseCases({
      db,
      ruleSet: ruleSetId ? ruleSetById(ruleSetId) : newestRuleSet(canton),
      accessRights: gateways.accessRights,
      sms: codes.sms ?? null,
      key: codeKey,
      now,
    }),
  };
}

export type Application = ReturnType<typeof createApplication>;
export type { Caller } from './caller';
