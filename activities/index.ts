// Every side effect of the workflows, built from injected dependencies (the worker builds
// them once; tests pass their own).
import { Context } from '@temporalio/activity';
import type { Db } from '../infra/db';
import type { DataKeyStore } from '../infra/data-keys';
import { localDay } from '../domain/legal-calendar';
import { profiles } from '../domain/profiles';
import type { AccessRequestInput, UnitDecision } from '../workflows/access-request/types';
import { SYSTEM_ACTOR as SYSTEM } from '../records/audit';
import { recordAccessRequestRow } from '../records/access-requests';
import type { CommercialRegister } from './commercial-register';
import { createAccessRightsActivities } from './access-rights';
import { createContractActivities } from './contracts';
import { createDecisionActivities } from './decisions';
import { createEntityActivities } from './entities';
import { createFormalDecisionActivities } from './formal-decision';
import { createOnboardingActivities } from './onboarding';
import type { PostalGateway } from './postal';
import type { ContractEngine, Mailer, ProtectionRegister, ResidentRegister, RetentionEngine, ProxyEngine } from './ports';
import { createProxyActivities } from './proxies';
import { createRepresentationActivities } from './representations';
import { createRetentionActivities } from './retention';
import { createCredentialActivities, type AccessRightsEngine, type CredentialKey } from './credentials';
import { createServiceActivities } from './services';
import type { SealKey } from '../infra/seal';
import type { PaymentProvider } from '../infra/payments';
import type { AtRestKeys } from '../infra/secret-box';
import type { AddressPolicy } from '../infra/outbound';
export interface ActivityDeps {
  db: Db;
  registers: { resident: ResidentRegister; protection: ProtectionRegister };
  /** The commercial register: legal entities by UID and who may sign for them (Art. 11-13); unset in development without COMMERCIAL_REGISTER_URL. */
  commercialRegister?: CommercialRegister;
  mailer: Mailer;
  notify: { chancellery: string; authority: string };
  postal: PostalGateway;
  /** The contract workflows (a Temporal client): onboarding hands over, rollouts notify. */
  contracts: ContractEngine;
  /** The retention processes (a Temporal client): started once a record's event day is known. */
  retention: RetentionEngine;
  /** The records' data keys: destruction deletes them (crypto-shredding). */
  dataKeys?: DataKeyStore | null;
  /** The proxy workflows (a Temporal client): a representation starts its standing proxy. */
  proxies?: ProxyEngine;
  /** The accounts' access-rights processes (a Temporal client), where the rule set has them (NE 3.1). */
  accessRights?: AccessRightsEngine;
  /** The key initial passwords are derived from (createWorker derives it from the active payload key). */
  credentialKey?: CredentialKey;
  /** The canton's seal for the documents the engine issues (Art. 15; a demo key in development). */
  seal?: SealKey;
  /** The payment provider (fees paid online): refunds of refused transactions. */
  payments?: PaymentProvider;
  /** The keyring the units' webhook secrets are sealed under (createWorker passes the payload keys). */
  atRest?: AtRestKeys;
  /** Which addresses the units' webhooks may reach (production: no internal one outside WEBHOOK_ALLOWED_NETWORKS). */
  webhookAddresses?: AddressPolicy;
}

export function createActivities(deps: ActivityDeps) {
  return {
    ...createAccessRequestActivities(deps),
    ...createOnboardingActivities(deps),
    ...createDecisionActivities(deps),
    ...createContractActivities(deps),
    ...createRetentionActivities(deps),
    ...createFormalDecisionActivities(deps),
    ...createProxyActivities(deps),
    ...createEntityActivities(deps),
    ...createRepresentationActivities(deps),
    ...createAccessRightsActivities(deps),
    ...createCredentialActivities(deps),
    ...createServiceActivities(deps),
  };
}

function createAccessRequestActivities({ db, retention }: ActivityDeps) {
  const workflowId = () => Context.current().info.workflowExecution?.workflowId;

  return {
    /** Enters the request in the database; idempotent, so a retry after a crash writes it once. */
    async recordAccessRequest(input: AccessRequestInput): Promise<void> {
      const requestedAt = new Date(input.requestedAt);
      await recordAccessRequestRow(db, input, workflowId());
      await retention.schedule({
        recordKind: 'access-request',
        recordId: input.requestId,
        category: 'other-transaction',
        eventDay: localDay(requestedAt, profiles[input.canton].timeZone),
        canton: input.canton,
      });
    },

    async remindUnit(args: { requestId: string; unitId: string; reminder: number }): Promise<void> {
      await db.$transaction([
        db.accessRequest.update({ where: { id: args.requestId }, data: { remindersSent: args.reminder } }),
        db.auditLog.create({
          data: {
            ...SYSTEM,
            action: `access-request.unit-reminded.${args.reminder}`,
            recordType: 'access-request',
            recordId: args.requestId,
            workflowId: workflowId(),
          },
        }),
      ]);
    },

    async recordAccessDecision(args: UnitDecision & { requestId: string; workflowId: string }): Promise<void> {
      await db.$transaction([
        db.accessRequest.update({
          where: { id: args.requestId },
          data: {
            status: args.outcome === 'grant' ? 'granted' : 'refused',
            outcome: args.outcome,
            reason: args.reason ?? null,
            decidedBySub: args.decidedBySub,
            decidedAt: new Date(args.decidedAt),
          },
        }),
        db.auditLog.create({
          data: {
            ...SYSTEM,
            action: `access-request.${args.outcome === 'grant' ? 'granted' : 'refused'}`,
            recordType: 'access-request',
            recordId: args.requestId,
            workflowId: args.workflowId,
          },
        }),
      ]);
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
