// Access to a service that is not free (Art. 14 al. 2): the citizen asks, the unit decides.
import { createHash, randomUUID } from 'node:crypto';
import { normalizeAvs } from '../domain/avs';
import type { CantonCode } from '../domain/profiles';
import type { Principal } from '../domain/roles';
import type { Db } from '../infra/db';
import { recordAccessRequestRow } from '../records/access-requests';
import { writeAudit } from '../records/audit';
import { accessRequestWorkflowId } from '../workflows/access-request/definitions';
import type { AccessRequestInput, AccessRequestStatus } from '../workflows/access-request/types';
import { personalData } from '../workflows/personal-data';
import { actorOf, type Caller } from './caller';
import type { ContractGate } from './contract-gate';
import type { AssistedSessionUseCases } from './assisted-sessions';
import type { ProxyUseCases } from './proxies';
import { isEntitySub, type EntityUseCases } from './entities';
import { normalizeUid } from '../domain/uid';
import { AppError, invalidField, notFound } from './errors';
import { ageOn } from '../domain/onboarding';
import { localDay } from '../domain/days';
import { profiles } from '../domain/profiles';
import type { AccessRevocationGateway } from './gateways/access-request';
import type { AccessRequestGateway } from './gateways/access-request';
import { requireAccess, type Resource } from './policy';
import type { GivenTransactionCode, TransactionCodeUseCases } from './transaction-codes';

export interface AccessRequestCreate {
  /** The owning unit: optional, the catalogue knows it; when given, it must be the service's. */
  unitId?: string;
  service: string;
  /** A person's: required when filing for a person */
  avsNumber?: string;
  /** An entity's: required when filing for a legal entity */
  uid?: string;
  email: string;
  note?: string;
  onBehalfOf?: string;
}

export interface AccessRequestDeps {
  db: Db;
  accessRequests: AccessRequestGateway;
  /** Art. 14.3: the revocation's process (the user is told, the unit's webhook hears). */
  revocations?: AccessRevocationGateway;
  contractAllows: ContractGate;
  /** Counsellors act only in an assisted session (absent: tests of other rules). */
  sessions?: Pick<AssistedSessionUseCases, 'requireSession'>;
  /** Representatives act only by a proxy that covers the service, checked at each act. */
  proxies?: Pick<ProxyUseCases, 'requireProxy'>;
  /** An entity's people act only by their member row, checked at each act (Art. 12). */
  entities?: Pick<EntityUseCases, 'requireMandate' | 'contactOf'>;
  canton: CantonCode;
  /** NE 4.5: a sensitive service's request needs a single-use transaction code (absent: tests of other rules). */
  transactionCodes?: Pick<TransactionCodeUseCases, 'require'>;
  now?: () => Date;
}

/** The same caller with the same Idempotency-Key always lands on the same request id. */
export function requestIdFor(principal: Principal, key: string | null): string {
  if (!key) return randomUUID();
  const h = createHash('sha256').update(`${principal.role}:${principal.sub}:${key}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function accessRequestUseCases({
  db,
  accessRequests,
  revocations,
  contractAllows,
  sessions,
  proxies,
  entities,
  canton,
  transactionCodes,
  now = () => new Date(),
}: AccessRequestDeps) {
  /** Whoever acts for the person may, now (a counsellor's session, a representative's proxy for this service). */
  async function mayActFor(caller: Caller, citizenSub: string, service: string): Promise<void> {
    if (isEntitySub(citizenSub)) {
      if (!entities || caller.principal.role !== 'citizen') throw new AppError(403, 'no_mandate', 'you may not act for this entity');
      await entities.requireMandate(caller, citizenSub, service);
    } else if (caller.principal.role === 'counsellor') await sessions?.requireSession(caller, citizenSub);
    else if (caller.principal.sub !== citizenSub) {
      if (!proxies) throw new AppError(403, 'no_proxy', 'you may not act for this person');
      await proxies.requireProxy(caller, citizenSub, service);
    }
  }

  /** One acting for the person files in her name only what the counter knows of her: he never redirects her mail. */
  async function checkFilingForOther(caller: Caller, citizenSub: string, input: AccessRequestCreate): Promise<void> {
    await mayActFor(caller, citizenSub, input.service);
    if (isEntitySub(citizenSub)) return checkFilingForEntity(citizenSub, input);
    const user = await db.registeredUser.findUnique({ where: { sub: citizenSub }, select: { email: true, avsNumber: true } });
    if (!user) throw new AppError(403, 'no_contract', 'this person has no user contract on the counter');
    const details = [
      ...(input.email.trim().toLowerCase() !== user.email.trim().toLowerCase()
        ? [{ path: 'email', issue: "must be the person's address on the counter: a counsellor does not change where the person's mail goes" }]
        : []),
      ...(!input.avsNumber || normalizeAvs(input.avsNumber) !== normalizeAvs(user.avsNumber)
        ? [{ path: 'avsNumber', issue: "must be the person's own AVS number" }]
        : []),
    ];
    if (details.length) throw new AppError(422, 'unprocessable', "a counsellor files with the person's own details", details);
  }

  /** In the entity's name, with its UID and its address on the counter: an employee never redirects its mail. */
  async function checkFilingForEntity(entitySub: string, input: AccessRequestCreate): Promise<void> {
    const entity = await entities!.contactOf(entitySub);
    if (!entity) throw new AppError(403, 'no_contract', 'this entity has no user contract on the counter');
    const details = [
      ...(input.email.trim().toLowerCase() !== entity.email.trim().toLowerCase()
        ? [{ path: 'email', issue: "must be the entity's address on the counter" }]
        : []),
      ...(!input.uid || normalizeUid(input.uid) !== entity.uid ? [{ path: 'uid', issue: "must be the entity's UID" }] : []),
      ...(input.avsNumber ? [{ path: 'avsNumber', issue: 'an entity has no AVS number: give its uid' }] : []),
    ];
    if (details.length) throw new AppError(422, 'unprocessable', "a filing for an entity uses the entity's own details", details);
  }

  /**
   * The catalogue's word on the request (Art. 14): units and services are records (an unknown
   * one is 422, never a request nobody will decide); a free service needs no request; a
   * representative acts only where the service is delegable; some are reserved to adults.
   */
  async function serviceFor(
    caller: Caller,
    citizenSub: string,
    input: { unitId?: string; service: string },
    purpose: 'access-request' | 'transaction' = 'access-request',
  ) {
    if (input.unitId && !(await db.unit.findUnique({ where: { id: input.unitId }, select: { id: true } })))
      throw new AppError(422, 'unknown_unit', 'no such unit on this counter', [{ path: 'unitId', issue: 'unknown unit' }]);
    const service = await db.service.findUnique({ where: { id: input.service } });
    if (!service) throw new AppError(422, 'unknown_service', 'no such service in the catalogue', [{ path: 'service', issue: 'unknown service' }]);
    if (input.unitId && input.unitId !== service.unitId)
      throw new AppError(422, 'wrong_unit', 'this service is not served by that unit', [
        { path: 'unitId', issue: `the service is served by ${service.unitId}` },
      ]);
    if (service.access === 'free' && purpose === 'access-request')
      throw new AppError(409, 'free_service', 'this service is open to every user at once (Art. 14 al. 1): no request is needed');
    const representative = caller.principal.role === 'citizen' && citizenSub !== caller.principal.sub && !isEntitySub(citizenSub);
    if (representative && !service.delegable)
      throw new AppError(403, 'not_delegable', 'this service is not open to representatives: the person asks herself (Art. 9)');
    if (service.adultsOnly && !isEntitySub(citizenSub)) {
      const person = await db.registeredUser.findUnique({ where: { sub: citizenSub }, select: { birthDate: true } });
      const profile = profiles[canton];
      if (person && ageOn(person.birthDate, localDay(now(), profile.timeZone)) < profile.onboarding.majorityAge)
        throw new AppError(403, 'adults_only', 'this service is reserved to adults');
    }
    return service;
  }

  async function record(requestId: string): Promise<(Resource & { type: 'access-request' }) | null> {
    const row = await db.accessRequest.findUnique({ where: { id: requestId }, select: { citizenSub: true, filedBySub: true, unitId: true } });
    return row && { type: 'access-request', ...row };
  }

  /**
   * From its workflow while it runs; from the stored record once it is decided (a closed
   * workflow's query would replay its history, and would not know of a revocation since).
   */
  async function status(requestId: string): Promise<AccessRequestStatus> {
    const r = await db.accessRequest.findUnique({ where: { id: requestId } });
    if (r && (r.status === 'awaiting-unit' || r.status === 'recording')) {
      const s = await accessRequests.status(requestId);
      if (s) return s;
    }
    if (!r) throw notFound('access request');
    return {
      requestId: r.id,
      state: r.status as AccessRequestStatus['state'],
      canton: r.canton as CantonCode,
      unitId: r.unitId,
      service: r.service,
      requestedAt: r.requestedAt.toISOString(),
      remindersSent: r.remindersSent,
      decision:
        r.outcome && r.decidedAt
          ? { outcome: r.outcome as 'grant' | 'refuse', reason: r.reason ?? undefined, decidedAt: r.decidedAt.toISOString() }
          : undefined,
      ...(r.revokedAt ? { revocation: { reasons: r.revocationReasons, revokedAt: r.revokedAt.toISOString() } } : {}),
    };
  }

  return {
    /** Whoever acts for the person may, now: shared with the transactions (Art. 9, 12, seed 003). */
    mayActFor,
    /** The catalogue's checks for acting in a service (unknown, delegable, adults only). */
    serviceFor,

    /** A citizen files for themself, a counsellor for the citizen he helps. Idempotent on the key. */
    async file(
      caller: Caller,
      input: AccessRequestCreate,
      idempotencyKey: string | null,
      code: GivenTransactionCode | null = null,
    ): Promise<AccessRequestStatus> {
      const { principal } = caller;
      if (principal.role === 'counsellor' && !input.onBehalfOf)
        throw invalidField('onBehalfOf', 'required for a counsellor', 'a counsellor acts on behalf of a citizen');
      if (input.onBehalfOf === principal.sub) throw invalidField('onBehalfOf', 'names yourself: leave it out', 'a citizen files for themself');
      // Art. 9: a citizen names the person he represents (his proxy is checked now).
      const citizenSub = input.onBehalfOf ?? principal.sub;
      if (citizenSub !== principal.sub) await checkFilingForOther(caller, citizenSub, input);
      else if (!input.avsNumber) throw invalidField('avsNumber', 'required', 'a person files with her AVS number');
      const service = await serviceFor(caller, citizenSub, input);
      // Art. 5.2, 7.2, 10: a restricted, blocked or ended contract files nothing new.
      await contractAllows(citizenSub, 'access-request.create');
      const requestId = requestIdFor(principal, idempotencyKey);
      // NE 4.5: a very sensitive service's request goes ahead only with a single-use code (the same
      // request again, by its Idempotency-Key, with the same code).
      await transactionCodes?.require(caller, { action: 'access-request.create', service: input.service }, code, `access-request:${requestId}`);
      const request: AccessRequestInput = {
        requestId,
        canton,
        unitId: service.unitId,
        service: input.service,
        citizenSub,
        filedBySub: principal.sub,
        filedByRole: principal.role as 'citizen' | 'counsellor',
        applicant: personalData(
          'access-request',
          requestId,
          isEntitySub(citizenSub) ? { uid: normalizeUid(input.uid!)!, email: input.email } : { avsNumber: input.avsNumber!, email: input.email },
        ),
        note: input.note,
        requestedAt: now().toISOString(),
      };
      const workflowId = accessRequestWorkflowId(requestId);
      // In the database before the workflow starts: the request is readable at once.
      await recordAccessRequestRow(db, request, workflowId);
      // A retry with the same Idempotency-Key finds its workflow running: the same request.
      if (await accessRequests.start(request)) {
        await writeAudit(db, {
          ...actorOf(caller),
          onBehalfOf: citizenSub !== principal.sub ? citizenSub : undefined,
          action: 'access-request.filed',
          recordType: 'access-request',
          recordId: requestId,
          workflowId,
        });
      }
      return status(requestId);
    },

    async get(caller: Caller, requestId: string): Promise<AccessRequestStatus> {
      const r = await record(requestId);
      requireAccess(caller.principal, 'read', r, 'access request');
      if (r!.citizenSub !== caller.principal.sub && (caller.principal.role === 'counsellor' || caller.principal.role === 'citizen')) {
        const { service } = await db.accessRequest.findUniqueOrThrow({ where: { id: requestId }, select: { service: true } });
        await mayActFor(caller, r!.citizenSub, service);
      }
      return status(requestId);
    },

    /**
     * Art. 14.3: the owning unit revokes a granted access for abuse or breach of the rules,
     * with its reasons, which the user is told; he may then ask for a formal decision (14.4).
     */
    async revoke(caller: Caller, requestId: string, reasons: string[]): Promise<AccessRequestStatus> {
      const r = await record(requestId);
      requireAccess(caller.principal, 'act-as-authority', r, 'access request');
      const row = await db.accessRequest.findUniqueOrThrow({ where: { id: requestId } });
      if (row.status === 'revoked') return status(requestId);
      if (row.status !== 'granted') throw new AppError(409, 'not_granted', 'only a granted access can be revoked');
      if (!revocations) throw new AppError(503, 'unavailable', 'revocations are not wired on this instance');
      // The reasons are about the person: under the request's data key in the process's history.
      await revocations.revoke(
        personalData('access-request', requestId, { requestId, reasons, revokedBySub: caller.principal.sub, revokedAt: now().toISOString() }),
        { requestId, canton: row.canton as CantonCode, unitId: row.unitId },
      );
      await writeAudit(db, {
        ...actorOf(caller),
        action: 'access-request.revocation-asked',
        recordType: 'access-request',
        recordId: requestId,
        workflowId: accessRequestWorkflowId(requestId),
      });
      return status(requestId);
    },

    /** The unit's decision: grant, or refuse with a reason. */
    async decide(caller: Caller, requestId: string, decision: { outcome: 'grant' | 'refuse'; reason?: string }): Promise<AccessRequestStatus> {
      requireAccess(caller.principal, 'act-as-authority', await record(requestId), 'access request');
      // Decided already (its process may still be telling the citizen): the same answer as once it has ended.
      const { status: recorded } = await db.accessRequest.findUniqueOrThrow({ where: { id: requestId }, select: { status: true } });
      if (recorded !== 'awaiting-unit' && recorded !== 'recording') throw new AppError(409, 'conflict', 'this request has already been decided');
      // A refusal's reason is about the person: under the request's data key, like the rest of it.
      const s = await accessRequests.decide(
        requestId,
        personalData('access-request', requestId, { ...decision, decidedBySub: caller.principal.sub, decidedAt: now().toISOString() }),
      );
      await writeAudit(db, {
        ...actorOf(caller),
        action: `access-request.decided.${decision.outcome}`,
        recordType: 'access-request',
        recordId: requestId,
        workflowId: accessRequestWorkflowId(requestId),
      });
      return s;
    },
  };
}

export type AccessRequestUseCases = ReturnType<typeof accessRequestUseCases>;
