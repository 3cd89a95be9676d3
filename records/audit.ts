// The audit log: who did what, on which record, when. Never personal data: subjects and ids.
import type { Db } from '../infra/db';

export interface AuditEntry {
  actorRole: string;
  actorSub: string;
  onBehalfOf?: string;
  action: string;
  recordType: string;
  recordId: string;
  requestId?: string;
  workflowId?: string;
}

/** The actor of what the engine does by itself (a workflow's activity). */
export const SYSTEM_ACTOR = { actorRole: 'system', actorSub: 'worker' } as const;

/**
 * One row, in the caller's transaction when given one. A raw INSERT: Prisma's model API spends
 * ~0.5 ms of CPU on a create (its query compiler, the row read back), a raw statement ~0.2 ms,
 * and a process writes six or seven of these (`npm run bench`, Performance in the README).
 */
export async function writeAudit(db: Pick<Db, '$executeRaw'>, e: AuditEntry): Promise<void> {
  await db.$executeRaw`INSERT INTO audit_log (at, actor_role, actor_sub, on_behalf_of, action, record_type, record_id, request_id, workflow_id)
    VALUES (clock_timestamp(), ${e.actorRole}, ${e.actorSub}, ${e.onBehalfOf ?? null}, ${e.action}, ${e.recordType}, ${e.recordId}, ${e.requestId ?? null}, ${e.workflowId ?? null})`;
}

/** What a citizen's subject reads in the audit rows of a destroyed record (and the outbox's free text). */
export const ERASED = '[erased]';

/** A row in the audit log or the outbox names its record so. */
export interface RecordRefPair {
  recordType: string;
  recordId: string;
}

/**
 * The audit rows about these records lose the citizens' subjects (role citizen, or one of
 * `subjects`), the subject a counsellor acted for, and those citizens' request ids: the one
 * change the append-only trigger lets through, made by the SQL function audit_log_scrub()
 * (migration 20261201230000_retention_outlives). Returns the number of rows changed.
 */
export async function scrubAudit(db: Pick<Db, '$queryRaw'>, about: RecordRefPair[], subjects: string[]): Promise<number> {
  if (about.length === 0) return 0;
  const [row] = await db.$queryRaw<Array<{ scrubbed: number }>>`SELECT audit_log_scrub(${about.map((a) => a.recordType)}::text[], ${about.map(
    (a) => a.recordId,
  )}::text[], ${subjects}::text[]) AS scrubbed`;
  return Number(row?.scrubbed ?? 0);
}
