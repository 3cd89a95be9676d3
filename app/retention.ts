// Legal holds (Art. 18.1 b): while litigation is pending, a decision's records are kept past
// their retention. The Chancellery or the unit that served the decision places and lifts
// them (a hold the Chancellery placed, only the Chancellery lifts); the decision's retention
// process waits while any is active.
import { randomUUID } from 'node:crypto';
import type { Db } from '../infra/db';
import { writeAudit } from '../records/audit';
import { actorOf, type Caller } from './caller';
import { AppError, notFound } from './errors';
import type { RetentionGateway } from './gateways/retention';
import { requireAccess } from './policy';

type HoldRow = { id: string; recordId: string; reason: string; placedBy: string; placedAt: Date; liftedBy: string | null; liftedAt: Date | null };
const holdView = (h: HoldRow) => ({
  holdId: h.id,
  decisionId: h.recordId,
  reason: h.reason,
  placedBy: h.placedBy,
  placedAt: h.placedAt.toISOString(),
  liftedBy: h.liftedBy,
  liftedAt: h.liftedAt?.toISOString() ?? null,
});

export function retentionUseCases({ db, retention }: { db: Db; retention: RetentionGateway }) {
  /** The Chancellery, or the unit that served the decision; anyone else: 404. */
  async function decisionFor(caller: Caller, decisionId: string): Promise<void> {
    const d = await db.decision.findUnique({ where: { id: decisionId }, select: { unitId: true, recipientSub: true } });
    requireAccess(caller.principal, 'act-as-authority', d && { type: 'decision', ...d }, 'decision');
  }

  return {
    async placeHold(caller: Caller, input: { decisionId: string; reason: string }) {
      await decisionFor(caller, input.decisionId);
      const hold = await db.legalHold.create({
        data: {
          id: randomUUID(),
          recordKind: 'decision',
          recordId: input.decisionId,
          reason: input.reason,
          placedBy: caller.principal.sub,
          placedRole: caller.principal.role,
        },
      });
      await writeAudit(db, { ...actorOf(caller), action: 'legal-hold.placed', recordType: 'decision', recordId: input.decisionId });
      await retention.holdsChanged('decision', input.decisionId);
      return holdView(hold);
    },

    async listHolds(caller: Caller, decisionId: string) {
      await decisionFor(caller, decisionId);
      const rows = await db.legalHold.findMany({ where: { recordKind: 'decision', recordId: decisionId }, orderBy: { placedAt: 'asc' } });
      return rows.map(holdView);
    },

    /** Once none is active, the records are destroyed if their retention is over. Lifting twice changes nothing. */
    async liftHold(caller: Caller, holdId: string) {
      const hold = await db.legalHold.findUnique({ where: { id: holdId } });
      if (!hold) throw notFound('legal hold');
      await decisionFor(caller, hold.recordId);
      // The unit may lift its own holds; one the Chancellery placed (its litigation, its complaint) only the Chancellery lifts.
      if (hold.placedRole === 'chancellery' && caller.principal.role !== 'chancellery')
        throw new AppError(403, 'forbidden', 'this hold was placed by the Chancellery: only the Chancellery lifts it');
      if (hold.liftedAt) return holdView(hold);
      const { count } = await db.legalHold.updateMany({
        where: { id: holdId, liftedAt: null },
        data: { liftedAt: new Date(), liftedBy: caller.principal.sub },
      });
      if (count === 0) throw new AppError(409, 'conflict', 'lifted meanwhile by someone else');
      await writeAudit(db, { ...actorOf(caller), action: 'legal-hold.lifted', recordType: 'decision', recordId: hold.recordId });
      await retention.holdsChanged('decision', hold.recordId);
      return holdView(await db.legalHold.findUniqueOrThrow({ where: { id: holdId } }));
    },
  };
}
