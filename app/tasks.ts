// The task inboxes — the Chancellery's, the authority's, each unit's: list, read, claim, release, complete. The list is read from
// the database (it mirrors the workflows); every change goes to the workflow as an Update,
// whose validator is the single judge of "already done" and "not yours".
import type { Prisma } from '../generated/prisma/client';
import type { Db } from '../infra/db';
import { writeAccessLog } from '../records/access-log';
import { writeAudit } from '../records/audit';
import type { TaskCompletion } from '../workflows/task/definitions';
import { personalData, type DataKeyKind } from '../workflows/personal-data';
import { actorOf, readerOf, type Caller } from './caller';
import { invalidField } from './errors';
import type { TaskGateway } from './gateways/task';
import { requireAccess } from './policy';

export const TASK_KINDS = [
  'review',
  'authority-inquiry',
  'formal-decision',
  'terms-refusal',
  'postal-tracking',
  'written-proxy',
  'legal-representation',
  'written-proxy-contract',
  'entity-powers',
  'written-contract',
  'access-rights-block',
  'account-deactivated',
  'access-request',
  'transaction',
] as const;

export interface InboxFilters {
  status: 'open' | 'completed';
  kind?: (typeof TASK_KINDS)[number];
  claimedBy?: string;
  overdue?: 'true' | 'false';
  canton?: 'JU' | 'NE';
  commune?: string;
  order: 'asc' | 'desc';
}

type TaskRow = Prisma.TaskGetPayload<object>;

export const taskView = (t: TaskRow, now = Date.now()) => ({
  taskId: t.id,
  kind: t.kind as (typeof TASK_KINDS)[number],
  status: t.status as 'open' | 'completed',
  applicationId: t.applicationId,
  contractId: t.contractId,
  unitId: t.unitId,
  decisionId: t.decisionId,
  formalRequestId: t.formalRequestId,
  entityApplicationId: t.entityApplicationId,
  proxyId: t.proxyId,
  representationId: t.representationId,
  accessRequestId: t.accessRequestId,
  transactionId: t.transactionId,
  canton: t.canton,
  commune: t.commune,
  subject: t.subject,
  claimedBy: t.claimedBy,
  dueAt: t.dueAt.toISOString(),
  overdue: t.status === 'open' && t.dueAt.getTime() < now,
  remindersSent: t.remindersSent,
  escalated: t.escalatedAt !== null,
  createdAt: t.createdAt.toISOString(),
  outcome: t.outcome,
});
export type TaskView = ReturnType<typeof taskView>;

/**
 * Keyset pagination on (dueAt, id): the same cost for page 1 and page 400. The cursor names
 * its order, so a cursor of the other order is refused rather than skipping tasks.
 */
const encodeCursor = (t: TaskRow, order: 'asc' | 'desc') => Buffer.from(JSON.stringify([t.dueAt.toISOString(), t.id, order])).toString('base64url');
function decodeCursor(cursor: string, order: 'asc' | 'desc'): { dueAt: Date; id: string } {
  const bad = (issue: string) => invalidField('cursor', issue, 'the request query is not valid');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString());
  } catch {
    throw bad('not a cursor from this API');
  }
  const [dueAt, id, cursorOrder] = Array.isArray(parsed) ? (parsed as unknown[]) : [];
  const d = new Date(String(dueAt));
  if (Number.isNaN(d.getTime()) || typeof id !== 'string') throw bad('not a cursor from this API');
  if ((cursorOrder ?? 'asc') !== order) throw bad(`a cursor of the ${String(cursorOrder)} order; this page asks for ${order}`);
  return { dueAt: d, id };
}

export function taskUseCases({ db, tasks, now = () => new Date() }: { db: Db; tasks: TaskGateway; now?: () => Date }) {
  async function task(caller: Caller, id: string, action: 'read' | 'administer' = 'administer'): Promise<TaskRow> {
    const t = await db.task.findUnique({ where: { id } });
    requireAccess(caller.principal, action, t && { type: 'task', kind: t.kind, unitId: t.unitId }, 'task');
    return t!;
  }
  /** Whose record a completion's reasons are about: under that record's data key. */
  async function dataKeyOf(t: TaskRow): Promise<[DataKeyKind, string]> {
    if (t.formalRequestId) {
      const r = await db.formalDecisionRequest.findUniqueOrThrow({ where: { id: t.formalRequestId }, select: { recordType: true, recordId: true } });
      return [r.recordType as DataKeyKind, r.recordId];
    }
    if (t.decisionId) return ['decision', t.decisionId];
    if (t.entityApplicationId) return ['entity-application', t.entityApplicationId];
    if (t.representationId) return ['representation-request', t.representationId];
    if (t.proxyId) return ['proxy', t.proxyId];
    return t.contractId ? ['contract', t.contractId] : ['onboarding-application', t.applicationId!];
  }
  /** Art. 11.2: what the reviewer checks the powers with: who files, and the commercial register's answer (access-logged). */
  async function entityReview(caller: Caller, applicationId: string): Promise<EntityReview> {
    const a = await db.entityApplication.findUniqueOrThrow({ where: { id: applicationId } });
    const filer = await db.registeredUser.findUnique({ where: { sub: a.filedBySub }, select: { lastName: true, firstName: true, birthDate: true } });
    await writeAccessLog(db, {
      ...readerOf(caller),
      action: 'read.entity-powers',
      recordType: 'entity-application',
      recordId: applicationId,
      purpose: "the Chancellery verifies the filer's powers to represent the entity (Art. 11.2)",
    });
    return {
      uid: a.uid,
      filedBy: filer ?? { lastName: '', firstName: '', birthDate: '' },
      signingPower: a.signingPower,
      register: (a.registerAnswer as EntityReview['register']) ?? null,
    };
  }
  const audit = (caller: Caller, action: string, t: TaskRow) =>
    writeAudit(db, { ...actorOf(caller), action, recordType: 'task', recordId: t.id, workflowId: t.workflowId });

  return {
    async list(caller: Caller, q: InboxFilters & { limit: number; cursor?: string }): Promise<{ items: TaskView[]; nextCursor: string | null }> {
      const at = now();
      const where: Prisma.TaskWhereInput = { status: q.status };
      if (q.kind) where.kind = q.kind;
      // The authority's inbox: the inquiries put to it, nothing else.
      if (caller.principal.role === 'authority') where.kind = q.kind && q.kind !== 'authority-inquiry' ? '(none)' : 'authority-inquiry';
      // A unit's inbox: its own tasks; the Chancellery's: those it works itself.
      where.unitId = caller.principal.role === 'unit' ? (caller.principal.unitId ?? '(none)') : null;
      if (q.claimedBy) where.claimedBy = q.claimedBy === 'me' ? caller.principal.sub : q.claimedBy === 'none' ? null : q.claimedBy;
      if (q.overdue === 'true') where.dueAt = { lt: at };
      if (q.overdue === 'false') where.dueAt = { gte: at };
      if (q.canton) where.canton = q.canton;
      if (q.commune) where.commune = q.commune;
      const after = q.cursor ? decodeCursor(q.cursor, q.order) : undefined;
      const beyond = q.order === 'asc' ? 'gt' : 'lt';
      const from = q.order === 'asc' ? 'gte' : 'lte';
      // (dueAt, id) beyond the cursor; the plain bound on dueAt lets the index scan start at
      // the cursor instead of filtering every row before it.
      const keyset: Prisma.TaskWhereInput = {
        dueAt: { [from]: after?.dueAt },
        OR: [{ dueAt: { [beyond]: after?.dueAt } }, { dueAt: after?.dueAt, id: { [beyond]: after?.id } }],
      };
      const page = await db.task.findMany({
        where: after ? { AND: [where, keyset] } : where,
        orderBy: [{ dueAt: q.order }, { id: q.order }],
        take: q.limit + 1,
      });
      const items = page.slice(0, q.limit);
      return { items: items.map((t) => taskView(t, at.getTime())), nextCursor: page.length > q.limit ? encodeCursor(items[items.length - 1]!, q.order) : null };
    },

    /** One task. The authority also sees whom its inquiry is about — name, birth date, AVS number — and each such read is access-logged. */
    async get(caller: Caller, id: string): Promise<TaskView & { person?: InquiryPerson; entity?: EntityReview }> {
      const t = await task(caller, id, 'read');
      if (t.entityApplicationId && caller.principal.role === 'chancellery')
        return { ...taskView(t), entity: await entityReview(caller, t.entityApplicationId) };
      if (caller.principal.role !== 'authority' || !t.applicationId) return taskView(t);
      const person = await db.onboardingApplication.findUniqueOrThrow({
        where: { id: t.applicationId },
        select: { lastName: true, firstName: true, birthDate: true, avsNumber: true },
      });
      await writeAccessLog(db, {
        ...readerOf(caller),
        action: 'read.authority-inquiry',
        recordType: 'onboarding-application',
        recordId: t.applicationId,
        purpose: 'the protection authority answers the inquiry on civil capacity (Art. 4.5 c)',
      });
      return { ...taskView(t), person };
    },

    /** Claim (nobody else can complete it while you hold it) or give it back. */
    async claim(caller: Caller, id: string, claim: boolean): Promise<TaskView> {
      const t = await task(caller, id);
      const args = { taskId: t.id, by: caller.principal.sub };
      await (claim ? tasks.claim(t.workflowId, args) : tasks.release(t.workflowId, args));
      await audit(caller, claim ? 'task.claim' : 'task.release', t);
      return taskView(await task(caller, id));
    },

    async complete(caller: Caller, id: string, outcome: DistributiveOmit<TaskCompletion, 'taskId' | 'by'>): Promise<TaskView> {
      const t = await task(caller, id);
      // Reasons and justifications are about the person: under their record's data key.
      const c = { ...outcome, taskId: t.id, by: caller.principal.sub } as TaskCompletion;
      const completion = personalData(...(await dataKeyOf(t)), c);
      await tasks.complete(t.workflowId, completion);
      await audit(caller, `task.complete.${outcome.outcome}`, t);
      return taskView(await task(caller, id));
    },
  };
}

export interface EntityReview {
  uid: string;
  filedBy: { lastName: string; firstName: string; birthDate: string };
  /** The filer's power as the register states it: individual | collective | no-power | not-found | cancelled */
  signingPower: string | null;
  /** The commercial register's answer, as it came */
  register: {
    name: string;
    legalForm: string;
    legalSeat: string;
    status: string;
    signatories: Array<{ lastName: string; firstName: string; signingPower: string }>;
  } | null;
}

export interface InquiryPerson {
  lastName: string;
  firstName: string;
  birthDate: string;
  avsNumber: string;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
