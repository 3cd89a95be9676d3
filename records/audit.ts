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

export async function writeAudit(db: Pick<Db, 'auditLog'>, entry: AuditEntry): Promise<void> {
  await db.auditLog.create({ data: entry });
}
