// Formal decisions on request (CPA; Art. 4.8, 5.3, 10.2, 14.4): wherever the counter refused,
// ended or restricted something, the person asks — at any time, the ordinance sets no period —
// and the competent authority decides in its task inbox. One request per contested act: asking
// again answers the first request.
import { randomUUID } from 'node:crypto';
import type { CantonCode } from '../domain/profiles';
import type { Db } from '../infra/db';
import { isUniqueViolation } from '../records/unique';
import { writeAudit } from '../records/audit';
import { formalDecisionTaskId, formalDecisionWorkflowId, type FormalDecisionGround } from '../workflows/formal-decision/definitions';
import { actorOf, type Caller } from './caller';
import { AppError, notFound } from './errors';
import type { FormalDecisionGateway } from './gateways/formal-decision';
import { may, requireAccess } from './policy';

export interface FormalDecisionRequestView {
  requestId: string;
  ground: FormalDecisionGround;
  /** 'CHA' (the Chancellery) or the unit that decides */
  authority: string;
  status: 'requested' | 'decided';
  taskId: string;
  requestedAt: string;
  outcome?: 'approve' | 'refuse';
  /** The formal decision, served like any decision (GET /v1/decisions/{id}) */
  decisionId?: string;
}

type Row = NonNullable<Awaited<ReturnType<Db['formalDecisionRequest']['findUnique']>>>;

export const formalDecisionRequestView = (r: Row): FormalDecisionRequestView => ({
  requestId: r.id,
  ground: r.ground as FormalDecisionGround,
  authority: r.unitId,
  status: r.status as 'requested' | 'decided',
  taskId: formalDecisionTaskId(r.id),
  requestedAt: r.requestedAt.toISOString(),
  outcome: (r.outcome as 'approve' | 'refuse' | null) ?? undefined,
  decisionId: r.decisionId ?? undefined,
});

/** Nothing to decide: the act the person contests is not (or no longer) there. */
const nothingContested = (what: string) => new AppError(409, 'NothingToContest', what);

interface Contested {
  ground: FormalDecisionGround;
  actRef: string;
  canton: string;
  personSub: string;
  recordType: 'onboarding-application' | 'contract' | 'access-request';
  recordId: string;
  unitId: string;
}

export function formalDecisionUseCases({ db, formalDecisions, now = () => new Date() }: { db: Db; formalDecisions: FormalDecisionGateway; now?: () => Date }) {
  /** Enters the request once and starts its process (again, on a retry after a failed start). */
  async function open(caller: Caller, c: Contested): Promise<FormalDecisionRequestView> {
    let row = await db.formalDecisionRequest.findUnique({ where: { actRef: c.actRef } });
    if (!row) {
      try {
        row = await db.formalDecisionRequest.create({
          data: { id: randomUUID(), ...c, requestedBy: caller.principal.sub, requestedAt: now(), status: 'requested' },
        });
        await writeAudit(db, {
          ...actorOf(caller),
          action: `formal-decision.requested.${c.ground}`,
          recordType: 'formal-decision-request',
          recordId: row.id,
          workflowId: formalDecisionWorkflowId(row.id),
        });
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
        row = await db.formalDecisionRequest.findUniqueOrThrow({ where: { actRef: c.actRef } });
      }
    }
    if (row.status === 'requested')
      await formalDecisions.start({ requestId: row.id, ground: c.ground, canton: c.canton as CantonCode, unitId: row.unitId, recordId: row.recordId });
    return formalDecisionRequestView(row);
  }

  return {
    /** Art. 4.8: after the Chancellery refused the application. */
    async afterOnboardingRefusal(caller: Caller, applicationId: string): Promise<FormalDecisionRequestView> {
      const a = await db.onboardingApplication.findUnique({ where: { id: applicationId } });
      requireAccess(caller.principal, 'act-as-person', a && { type: 'onboarding-application', ...a }, 'application');
      if (a!.status !== 'refused') throw nothingContested('a formal decision on the application can be asked once it is refused');
      return open(caller, {
        ground: 'onboarding-refused',
        actRef: `onboarding-application:${applicationId}`,
        canton: a!.canton,
        personSub: a!.applicantSub,
        recordType: 'onboarding-application',
        recordId: applicationId,
        unitId: 'CHA',
      });
    },

    /** Art. 5.3 and 10.2: after a block kept, a revocation or a termination for abuse of the caller's contract. */
    async onMyContract(caller: Caller): Promise<FormalDecisionRequestView> {
      const c = await db.contract.findFirst({ where: { user: { sub: caller.principal.sub } }, orderBy: { createdAt: 'desc' } });
      requireAccess(caller.principal, 'act-as-person', c && { type: 'contract', userSub: caller.principal.sub }, 'contract');
      const base = { canton: c!.canton, personSub: caller.principal.sub, recordType: 'contract' as const, recordId: c!.id, unitId: 'CHA' };
      if (c!.endedOn && (c!.endGround === 'abuse' || c!.endGround === 'terms-revoked')) {
        const ground = c!.endGround === 'abuse' ? 'terminated-for-abuse' : 'terms-revoked';
        return open(caller, { ...base, ground, actRef: `contract:${c!.id}:end:${c!.endedOn}` });
      }
      const kept = await db.task.findFirst({ where: { contractId: c!.id, kind: 'terms-refusal', outcome: 'keep-blocked' }, orderBy: { completedAt: 'desc' } });
      if (!c!.endedOn && kept && c!.status === 'blocked')
        return open(caller, { ...base, ground: 'terms-kept-blocked', actRef: `contract:${c!.id}:block-kept:${kept.id}` });
      throw nothingContested(
        'the Chancellery has neither kept a block, nor revoked or terminated this contract: there is nothing for a formal decision to decide',
      );
    },

    /** Art. 14.4: after the unit refused access to its service; the unit decides. */
    async afterAccessRefusal(caller: Caller, requestId: string): Promise<FormalDecisionRequestView> {
      const r = await db.accessRequest.findUnique({ where: { id: requestId } });
      requireAccess(caller.principal, 'act-as-person', r && { type: 'access-request', ...r }, 'access request');
      if (r!.status !== 'refused' && r!.status !== 'revoked')
        throw nothingContested('a formal decision on the access can be asked once the unit has refused or revoked it');
      if (!(await db.unit.findUnique({ where: { id: r!.unitId }, select: { id: true } })))
        throw new AppError(409, 'UnitNotRegistered', `the unit ${r!.unitId} is not registered with the counter: ask it in writing for a formal decision`);
      return open(caller, {
        // Art. 14.3-14.4: a revocation is contested on its own, after a grant.
        ground: r!.status === 'revoked' ? 'access-revoked' : 'access-refused',
        actRef: r!.status === 'revoked' ? `access-request:${requestId}:revocation:${r!.revokedAt!.toISOString()}` : `access-request:${requestId}`,
        canton: r!.canton,
        personSub: r!.citizenSub,
        recordType: 'access-request',
        recordId: requestId,
        unitId: r!.unitId,
      });
    },

    /** The person who asked, the authority that decides, the Chancellery. */
    async get(caller: Caller, requestId: string): Promise<FormalDecisionRequestView> {
      const r = await db.formalDecisionRequest.findUnique({ where: { id: requestId } });
      const p = caller.principal;
      const allowed =
        r && (may(p, 'act-as-person', { type: 'own', ownerSub: r.personSub }) || p.role === 'chancellery' || (p.role === 'unit' && p.unitId === r.unitId));
      if (!allowed) throw notFound('formal decision request');
      return formalDecisionRequestView(r);
    },

    /** The request made for a record, if any (the onboarding view shows it). */
    async forRecord(actRef: string): Promise<FormalDecisionRequestView | null> {
      const r = await db.formalDecisionRequest.findUnique({ where: { actRef } });
      return r && formalDecisionRequestView(r);
    },
  };
}

export type FormalDecisionUseCases = ReturnType<typeof formalDecisionUseCases>;
