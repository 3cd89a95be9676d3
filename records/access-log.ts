// The access log (personal data in the workflow engine): every read of personal data by
// staff, and every decode through the codec server — who, what, when, why. Kept apart from
// the audit log, append-only, and kept at least one year (it is not under Art. 19's
// destruction; see README "Retention").
import type { Db } from '../infra/db';

export interface AccessEntry {
  actorRole: string;
  actorSub: string;
  actorUnit?: string | null;
  requestId: string | null;
  action: string;
  recordType: string;
  recordId: string | null;
  /** The use's stated purpose; the caller's own statement, when given, goes first. */
  purpose: string;
  statedPurpose?: string;
  count?: number;
}

export async function writeAccessLog(db: Pick<Db, 'accessLog'>, e: AccessEntry): Promise<void> {
  const given = e.statedPurpose?.trim().slice(0, 500);
  await db.accessLog.create({
    data: {
      actorRole: e.actorRole,
      actorSub: e.actorSub,
      actorUnit: e.actorUnit ?? null,
      action: e.count === undefined ? e.action : `${e.action}:${e.count}`,
      recordType: e.recordType,
      recordId: e.recordId,
      purpose: given ? `${given} (stated)` : e.purpose,
      requestId: e.requestId,
    },
  });
}

/**
 * The same, once per reader, action and record since `since` (the start of the reader's day):
 * for reads a screen repeats (a unit polling a decision's state), so the person's log says
 * who read and when first that day, not how often a page refreshed.
 */
export async function writeAccessLogOnce(db: Pick<Db, 'accessLog'>, e: AccessEntry, since: Date): Promise<void> {
  const seen = await db.accessLog.findFirst({
    where: { actorSub: e.actorSub, action: e.action, recordType: e.recordType, recordId: e.recordId, at: { gte: since } },
    select: { id: true },
  });
  if (!seen) await writeAccessLog(db, e);
}
