// Legal entities (Art. 11-13; NE 5.5, 7.3): a signatory of the commercial register files the
// entity's contract, the Chancellery verifies the powers; then the signatories (and the
// administrator the contract names, Art. 12.2) authorise employees or third parties per
// service and block them at once. Every act for the entity checks its member row at that
// moment: no cached authorisation survives a block.
import { createHash, randomUUID } from 'node:crypto';
import { normalizeUid } from '../domain/uid';
import type { CantonCode } from '../domain/profiles';
import { Prisma } from '../generated/prisma/client';
import type { Db } from '../infra/db';
import { writeAudit } from '../records/audit';
import { isUniqueViolation } from '../records/unique';
import { entityOnboardingWorkflowId } from '../workflows/entity-onboarding/definitions';
import type { EntityOnboardingStatus, RegisterFinding } from '../workflows/entity-onboarding/types';
import { actorOf, type Caller } from './caller';
import type { ContractGate } from './contract-gate';
import { AppError, invalidField, notFound } from './errors';
import type { EntityOnboardingGateway } from './gateways/entity-onboarding';
import { verifiedContractSignature, type ContractSignatureInput, type SignatureVerifier } from './signatures';

export interface EntityApplicationInput {
  uid: string;
  /** Where the entity's mail and decisions go (Art. 7.3) */
  email: string;
  address: { street: string; postCode: string; locality: string };
  /** Art. 12.2: the person the contract names to designate the entity's representatives */
  administratorSub?: string;
  /** The filer's QES over the terms (Art. 13.2); a collective signature adds the written form (13.1) */
  contractSignature: ContractSignatureInput;
}

export interface EntityApplicationView {
  applicationId: string;
  uid: string;
  /** Who filed it (the filer, or the Chancellery on the case: GET /v1/people/{sub}/representation) */
  filedBySub: string;
  status: EntityOnboardingStatus | 'withdrawn';
  /** What the commercial register says of the filer, once asked */
  finding?: RegisterFinding;
  pending: { kind: string; taskId: string; dueAt: string } | null;
  refusalReasons?: string[];
  /** Once approved: what its people name in `onBehalfOf` */
  entitySub?: string;
  submittedAt: string;
}

export type MemberRole = 'signatory' | 'administrator' | 'employee';

export interface MemberView {
  sub: string;
  role: MemberRole;
  /** An employee's services (signatories and the administrator act for every service) */
  services: string[];
  status: 'active' | 'blocked';
  addedAt: string;
  blockedAt?: string;
  blockReason?: string;
}

export interface EntityView {
  entitySub: string;
  uid: string;
  name: string;
  legalForm: string;
  legalSeat: string;
  signingPower: 'individual' | 'collective';
  contract: { contractId: string; status: string; startedOn: string } | null;
  /** The caller's own place in it */
  me?: MemberView;
  /** Every member, for its signatories, its administrator and the Chancellery */
  members?: MemberView[];
}

const OPEN: EntityOnboardingStatus[] = ['checking', 'awaiting-powers', 'awaiting-written-contract'];

type MemberRow = Awaited<ReturnType<Db['entityMember']['findUniqueOrThrow']>>;
const memberView = (m: MemberRow): MemberView => ({
  sub: m.sub,
  role: m.role as MemberRole,
  services: m.services,
  status: m.status as 'active' | 'blocked',
  addedAt: m.addedAt.toISOString(),
  blockedAt: m.blockedAt?.toISOString(),
  blockReason: m.blockReason ?? undefined,
});

type EntityRow = Awaited<ReturnType<Db['legalEntity']['findUniqueOrThrow']>>;
const entityOut = (e: EntityRow, contract: { id: string; status: string; startedOn: string } | null | undefined, me: MemberRow | undefined): EntityView => ({
  entitySub: e.sub,
  uid: e.uid,
  name: e.name,
  legalForm: e.legalForm,
  legalSeat: e.legalSeat,
  signingPower: e.signingPower as 'individual' | 'collective',
  contract: contract ? { contractId: contract.id, status: contract.status, startedOn: contract.startedOn } : null,
  me: me && memberView(me),
});

export function isEntitySub(sub: string): boolean {
  return sub.startsWith('entity:');
}

export function entityUseCases({
  db,
  entityOnboarding,
  signatures,
  contractAllows,
  canton,
  now = () => new Date(),
}: {
  db: Db;
  entityOnboarding: EntityOnboardingGateway;
  signatures: SignatureVerifier | null;
  contractAllows: ContractGate;
  canton: CantonCode;
  now?: () => Date;
}) {
  async function view(applicationId: string): Promise<EntityApplicationView> {
    const row = await db.entityApplication.findUnique({ where: { id: applicationId } });
    if (!row) throw notFound('entity application');
    const s = await entityOnboarding.state(applicationId);
    const entitySub = row.entityId ? (await db.legalEntity.findUnique({ where: { id: row.entityId }, select: { sub: true } }))?.sub : undefined;
    return {
      applicationId,
      uid: row.uid,
      filedBySub: row.filedBySub,
      status: (s?.status ?? row.status) as EntityApplicationView['status'],
      finding: (s?.finding ?? row.signingPower ?? undefined) as RegisterFinding | undefined,
      pending: s?.pending ? { kind: s.pending.kind, taskId: s.pending.taskId, dueAt: s.pending.dueAt } : null,
      refusalReasons: s?.refusalReasons ?? (row.refusalReasons.length ? row.refusalReasons : undefined),
      entitySub: s?.entitySub ?? entitySub,
      submittedAt: row.submittedAt.toISOString(),
    };
  }

  /** The entity by its UID, with the caller's member row: 404 for whoever is neither in it nor the Chancellery. */
  async function entityFor(caller: Caller, uidParam: string) {
    const uid = normalizeUid(uidParam);
    const entity = uid && (await db.legalEntity.findUnique({ where: { uid }, include: { members: { orderBy: { addedAt: 'asc' } } } }));
    if (!entity) throw notFound('entity');
    const me = entity.members.find((m) => m.sub === caller.principal.sub);
    if (!me && caller.principal.role !== 'chancellery') throw notFound('entity');
    return { entity, me };
  }

  /** Art. 12: signatories, and the administrator for employees, manage who acts for the entity. */
  function requireManager(me: MemberRow | undefined, forRole: MemberRole): void {
    if (!me || me.status !== 'active') throw new AppError(403, 'forbidden', 'only an active signatory or the administrator of this entity manages its people');
    if (me.role === 'employee') throw new AppError(403, 'forbidden', "an employee does not manage the entity's people (Art. 12.2)");
    if (me.role === 'administrator' && forRole !== 'employee')
      throw new AppError(403, 'forbidden', 'the administrator designates employees and third parties; the signatories name the administrator (Art. 12.2)');
  }

  async function requireRegisteredUser(sub: string, field: string): Promise<void> {
    if (!(await db.registeredUser.findUnique({ where: { sub }, select: { id: true } })))
      throw new AppError(422, 'unprocessable', 'the person must be an identified user of the counter (Art. 9.2, 12.3)', [
        { path: field, issue: 'not a user of the counter' },
      ]);
  }

  return {
    /** Art. 11.1: a person who may represent the entity files its contract. Idempotent on the key. */
    async apply(caller: Caller, input: EntityApplicationInput, idempotencyKey: string | null): Promise<{ view: EntityApplicationView; created: boolean }> {
      const sub = caller.principal.sub;
      const uid = normalizeUid(input.uid);
      if (!uid) throw invalidField('uid', 'not a valid UID (CHE-123.456.789 with its check digit)');
      const hash = createHash('sha256')
        .update(JSON.stringify([uid, input.email.trim().toLowerCase(), input.address, input.administratorSub ?? null, input.contractSignature]))
        .digest('hex');
      if (idempotencyKey) {
        const prior = await db.entityApplication.findUnique({ where: { filedBySub_idempotencyKey: { filedBySub: sub, idempotencyKey } } });
        if (prior) {
          if (prior.requestHash !== hash) throw new AppError(422, 'idempotency_key_reused', 'this Idempotency-Key was already used with a different body');
          return { view: await view(prior.id), created: false };
        }
      }
      // The filer is identified: his own contract proved him by the e-ID (Art. 3), and is in force.
      const filer = await db.registeredUser.findUnique({ where: { sub }, select: { firstName: true, lastName: true } });
      if (!filer) throw new AppError(403, 'no_contract', 'an entity’s contract is filed by an identified user of the counter: contract for yourself first');
      await contractAllows(sub, 'access-request.create');
      if (input.administratorSub) await requireRegisteredUser(input.administratorSub, 'administratorSub');
      const current = await db.legalEntity.findUnique({ where: { uid }, include: { contracts: { where: { endedOn: null }, select: { id: true } } } });
      if (current?.contracts.length) throw new AppError(409, 'already_registered', 'this entity already has a user contract');
      if (await db.entityApplication.findFirst({ where: { uid, status: { in: OPEN } }, select: { id: true } }))
        throw new AppError(409, 'application_open', 'an application for this entity is being examined');
      const signature = await verifiedContractSignature(db, signatures, canton, input.contractSignature, {
        givenName: filer.firstName,
        familyName: filer.lastName,
      });

      const applicationId = randomUUID();
      try {
        await db.$transaction([
          db.entityApplication.create({
            data: {
              id: applicationId,
              canton,
              uid,
              filedBySub: sub,
              status: 'checking',
              email: input.email.trim(),
              street: input.address.street,
              postCode: input.address.postCode,
              locality: input.address.locality,
              administratorSub: input.administratorSub ?? null,
              termsVersion: input.contractSignature.termsVersion,
              documentSha256: input.contractSignature.documentSha256,
              signatureValue: input.contractSignature.signatureValue,
              signedAt: new Date(signature.signingTime),
              signatureEvidence: signature as unknown as Prisma.InputJsonObject,
              idempotencyKey,
              requestHash: hash,
              submittedAt: now(),
            },
          }),
          db.auditLog.create({
            data: {
              ...actorOf(caller),
              action: 'entity-application.filed',
              recordType: 'entity-application',
              recordId: applicationId,
              workflowId: entityOnboardingWorkflowId(applicationId),
            },
          }),
        ]);
      } catch (err) {
        // The same key at the same moment from another replica: its application.
        if (idempotencyKey && isUniqueViolation(err)) return this.apply(caller, input, idempotencyKey);
        throw err;
      }
      try {
        await entityOnboarding.start({ applicationId, canton });
      } catch (err) {
        // Nothing half-written: without its process the application is withdrawn, and says so.
        await db.entityApplication.update({ where: { id: applicationId }, data: { status: 'withdrawn' } });
        throw err;
      }
      return { view: await view(applicationId), created: true };
    },

    async get(caller: Caller, applicationId: string): Promise<EntityApplicationView> {
      const row = await db.entityApplication.findUnique({ where: { id: applicationId }, select: { filedBySub: true } });
      if (!row || (row.filedBySub !== caller.principal.sub && caller.principal.role !== 'chancellery')) throw notFound('entity application');
      return view(applicationId);
    },

    /** The entities I act for, and how. */
    async mine(caller: Caller): Promise<EntityView[]> {
      const rows = await db.entityMember.findMany({
        where: { sub: caller.principal.sub },
        include: { entity: { include: { contracts: { orderBy: { createdAt: 'desc' }, take: 1 } } } },
        orderBy: { addedAt: 'asc' },
      });
      return rows.map(({ entity, ...m }) => entityOut(entity, entity.contracts[0], m as MemberRow));
    },

    async entity(caller: Caller, uid: string): Promise<EntityView> {
      const { entity, me } = await entityFor(caller, uid);
      const contract = await db.contract.findFirst({ where: { entityId: entity.id }, orderBy: { createdAt: 'desc' } });
      const seesAll = caller.principal.role === 'chancellery' || (me && me.status === 'active' && me.role !== 'employee');
      return { ...entityOut(entity, contract, me), members: seesAll ? entity.members.map(memberView) : undefined };
    },

    /** Art. 12.1: authorise an employee or a third party, for named services (or name the administrator, 12.2). */
    async authorise(caller: Caller, uid: string, input: { sub: string; role: 'employee' | 'administrator'; services: string[] }): Promise<MemberView> {
      const { entity, me } = await entityFor(caller, uid);
      requireManager(me, input.role);
      if (input.sub === caller.principal.sub) throw invalidField('sub', 'you cannot authorise yourself');
      if (input.role === 'employee' && input.services.length === 0) throw invalidField('services', 'an employee is authorised for named services (Art. 12.1)');
      await requireRegisteredUser(input.sub, 'sub');
      const existing = entity.members.find((m) => m.sub === input.sub);
      if (existing?.role === 'signatory') throw new AppError(409, 'conflict', 'this person signs for the entity according to the commercial register');
      const services = input.role === 'employee' ? [...new Set(input.services)].sort() : [];
      const data = {
        role: input.role,
        services,
        status: 'active',
        addedBySub: caller.principal.sub,
        addedAt: now(),
        blockedAt: null,
        blockedBySub: null,
        blockReason: null,
      };
      const m = await db.entityMember.upsert({
        where: { entityId_sub: { entityId: entity.id, sub: input.sub } },
        create: { id: randomUUID(), entityId: entity.id, sub: input.sub, ...data },
        update: data,
      });
      await writeAudit(db, {
        ...actorOf(caller),
        onBehalfOf: entity.sub,
        action: `entity.member-authorised.${input.role}`,
        recordType: 'legal-entity',
        recordId: entity.id,
      });
      return memberView(m);
    },

    /** NE 7.3: block an employee's access at once (end of employment); his next act is refused. */
    async block(caller: Caller, uid: string, memberSub: string, reason?: string): Promise<MemberView> {
      const { entity, me } = await entityFor(caller, uid);
      const target = entity.members.find((m) => m.sub === memberSub);
      if (!target) throw notFound('member');
      requireManager(me, target.role as MemberRole);
      if (target.role === 'signatory')
        throw new AppError(409, 'conflict', "a signatory's power comes from the commercial register: it ends with its entry there");
      if (target.status === 'blocked') return memberView(target);
      const m = await db.entityMember.update({
        where: { id: target.id },
        data: { status: 'blocked', blockedAt: now(), blockedBySub: caller.principal.sub, blockReason: reason ?? null },
      });
      await writeAudit(db, { ...actorOf(caller), onBehalfOf: entity.sub, action: 'entity.member-blocked', recordType: 'legal-entity', recordId: entity.id });
      return memberView(m);
    },

    /**
     * An act of `caller` for the entity `entitySub` on `service`, allowed now only by an active
     * member row that covers it: 403 with the reason otherwise.
     */
    async requireMandate(caller: Caller, entitySub: string, service: string): Promise<void> {
      const m = await db.entityMember.findFirst({ where: { sub: caller.principal.sub, entity: { sub: entitySub } } });
      if (!m) throw new AppError(403, 'no_mandate', 'you may not act for this entity: you are not among its people on the counter');
      if (m.status !== 'active')
        throw new AppError(403, 'no_mandate', `you may not act for this entity: your access was blocked on ${m.blockedAt?.toISOString() ?? 'an earlier day'}`);
      if (m.role === 'employee' && !m.services.includes(service))
        throw new AppError(403, 'no_mandate', `you may not act for this entity: your authorisation does not cover the service ${service}`);
    },

    /** Where the entity's mail goes: a filing in its name uses it, never another address. */
    async contactOf(entitySub: string): Promise<{ email: string; uid: string } | null> {
      return db.legalEntity.findUnique({ where: { sub: entitySub }, select: { email: true, uid: true } });
    },
  };
}

export type EntityUseCases = ReturnType<typeof entityUseCases>;
