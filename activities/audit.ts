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

/** Who did what, on which record, when. Never personal data: subjects and ids only. */
export async function writeAudit(db: Pick<Db, 'auditLog'>, entry: AuditEntry): Promise<void> {
  await db.auditLog.create({ data: entry });
}
