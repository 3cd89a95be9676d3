import type { Db } from '../infra/db';
import { writeAudit, type AuditEntry } from './audit';

/**
 * Art. 16.5: an opening after the electronic window (or after the service by post) is
 * recorded, once, and changes nothing. The one writer of `lateOpenedAt`: the decision's
 * workflow (while it runs) and the API (once it has ended) both come here.
 */
export async function recordLateOpening(
  db: Db,
  decisionId: string,
  at: Date,
  actor: Pick<AuditEntry, 'actorRole' | 'actorSub' | 'requestId' | 'workflowId'>,
): Promise<boolean> {
  return db.$transaction(async (tx) => {
    const { count } = await tx.decision.updateMany({ where: { id: decisionId, lateOpenedAt: null, openedAt: null }, data: { lateOpenedAt: at } });
    if (count === 0) return false;
    await writeAudit(tx, { ...actor, action: 'decision.opened-late', recordType: 'decision', recordId: decisionId });
    return true;
  });
}
