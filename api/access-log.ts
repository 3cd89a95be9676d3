// The access log (issue: personal data in the workflow engine): every read of personal data
// by staff, and every decode through the codec server — who, what, when, why. Kept apart
// from the audit log, append-only, and kept at least one year (it is not under Art. 19's
// destruction; see README "Retention").
import type { Request } from 'express';
import type { Db } from '../infra/db';

export interface AccessEntry {
  action: string;
  recordType: string;
  recordId: string | null;
  /** The route's stated purpose; the caller's `X-Access-Purpose` header, when given, goes first. */
  purpose: string;
  count?: number;
}

const PURPOSE_HEADER = 'x-access-purpose';

export async function writeAccessLog(db: Db, req: Request, e: AccessEntry): Promise<void> {
  const given = req.header(PURPOSE_HEADER)?.trim().slice(0, 500);
  const p = req.principal;
  await db.accessLog.create({
    data: {
      actorRole: p?.role ?? 'unknown',
      actorSub: p?.sub ?? 'unknown',
      action: e.count === undefined ? e.action : `${e.action}:${e.count}`,
      recordType: e.recordType,
      recordId: e.recordId,
      purpose: given ? `${given} (stated)` : e.purpose,
      requestId: req.id === undefined ? null : String(req.id),
    },
  });
}
