// Post-office counsellors by mandate (Art. 9; seed 003): a counsellor acts for a citizen only
// inside an assisted session the citizen opened for him — the citizen's own sign-in at the
// counter, naming the post office and the counsellor — for the profile's hours; at
// onboarding, the person's e-ID presentation at the counter opens it. No session, no act.
import { randomUUID } from 'node:crypto';
import { profiles, type CantonCode } from '../domain/profiles';
import type { Db } from '../infra/db';
import { writeAudit } from '../records/audit';
import { actorOf, type Caller } from './caller';
import { AppError, notFound } from './errors';

export interface AssistedSessionView {
  sessionId: string;
  citizenSub: string;
  counsellorSub: string;
  postOffice: string;
  openedBy: 'citizen' | 'eid-at-counter';
  openedAt: string;
  expiresAt: string;
  closedAt?: string;
  open: boolean;
}

type Row = Awaited<ReturnType<Db['assistedSession']['findUniqueOrThrow']>>;

export function assistedSessionUseCases({ db, canton, now = () => new Date() }: { db: Db; canton: CantonCode; now?: () => Date }) {
  const hours = profiles[canton].representation.assistedSessionHours;
  const isOpen = (r: Row) => r.closedAt === null && r.expiresAt > now();
  const view = (r: Row): AssistedSessionView => ({
    sessionId: r.id,
    citizenSub: r.citizenSub,
    counsellorSub: r.counsellorSub,
    postOffice: r.postOffice,
    openedBy: r.openedBy as AssistedSessionView['openedBy'],
    openedAt: r.openedAt.toISOString(),
    expiresAt: r.expiresAt.toISOString(),
    closedAt: r.closedAt?.toISOString(),
    open: isOpen(r),
  });

  async function open(citizenSub: string, counsellorSub: string, postOffice: string, openedBy: AssistedSessionView['openedBy'], caller: Caller) {
    const at = now();
    const row = await db.assistedSession.create({
      data: { id: randomUUID(), citizenSub, counsellorSub, postOffice, openedBy, openedAt: at, expiresAt: new Date(at.getTime() + hours * 3_600_000) },
    });
    await writeAudit(db, {
      ...actorOf(caller),
      onBehalfOf: caller.principal.role === 'counsellor' ? citizenSub : undefined,
      action: 'assisted-session.opened',
      recordType: 'assisted-session',
      recordId: row.id,
    });
    return row;
  }

  return {
    /** The citizen, signed in at the counter, lets this counsellor of this post office act for him. */
    async openForCounsellor(caller: Caller, input: { counsellorSub: string; postOffice: string }): Promise<AssistedSessionView> {
      if (input.counsellorSub === caller.principal.sub)
        throw new AppError(422, 'unprocessable', 'a session is opened for a counsellor, not for oneself', [
          { path: 'counsellorSub', issue: 'your own subject' },
        ]);
      return view(await open(caller.principal.sub, input.counsellorSub, input.postOffice, 'citizen', caller));
    },

    /** Onboarding at a post office: the person's verified e-ID presentation at the counter opens the session. */
    async openAtCounter(caller: Caller, citizenSub: string): Promise<void> {
      await open(citizenSub, caller.principal.sub, 'counter', 'eid-at-counter', caller);
    },

    /** The citizen's sessions (open first), or the counsellor's. */
    async list(caller: Caller): Promise<AssistedSessionView[]> {
      const where = caller.principal.role === 'counsellor' ? { counsellorSub: caller.principal.sub } : { citizenSub: caller.principal.sub };
      const rows = await db.assistedSession.findMany({ where, orderBy: { openedAt: 'desc' }, take: 50 });
      return rows.map(view).sort((a, b) => Number(b.open) - Number(a.open));
    },

    /** The citizen ends a session at once; the counsellor's next act is refused. */
    async close(caller: Caller, sessionId: string): Promise<AssistedSessionView> {
      const row = await db.assistedSession.findUnique({ where: { id: sessionId } });
      if (!row || row.citizenSub !== caller.principal.sub) throw notFound('assisted session');
      const closed = row.closedAt ? row : await db.assistedSession.update({ where: { id: sessionId }, data: { closedAt: now() } });
      if (!row.closedAt) await writeAudit(db, { ...actorOf(caller), action: 'assisted-session.closed', recordType: 'assisted-session', recordId: sessionId });
      return view(closed);
    },

    /**
     * A counsellor's act for a citizen is allowed now only inside an open session the citizen
     * opened for him: 403 with the reason otherwise. Anyone else passes (other rules apply).
     */
    async requireSession(caller: Caller, citizenSub: string): Promise<void> {
      if (caller.principal.role !== 'counsellor') return;
      const open = await db.assistedSession.findFirst({
        where: { counsellorSub: caller.principal.sub, citizenSub, closedAt: null, expiresAt: { gt: now() } },
        select: { id: true },
      });
      if (!open) {
        throw new AppError(
          403,
          'no_assisted_session',
          'a counsellor acts for a citizen only in an assisted session the citizen opened for him (it may have ended or been closed)',
        );
      }
    },
  };
}

export type AssistedSessionUseCases = ReturnType<typeof assistedSessionUseCases>;
