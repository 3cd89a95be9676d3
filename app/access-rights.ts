// Neuchâtel's access rights (NE 7.1, 7.4, 7.6) for the Chancellery: an account's state and
// the accounts in a state (locked, blocked, deactivated), read from the rows each account's
// process mirrors (activities/access-rights.ts); and the start of an account's process once
// its contract is concluded. Every read is access-logged: it shows a person's account.
import type { AccessRightsState } from '../domain/access-rights';
import type { Db } from '../infra/db';
import { randomUUID } from 'node:crypto';
import { writeAccessLog } from '../records/access-log';
import { writeAudit } from '../records/audit';
import { accessRightsWorkflowId } from '../workflows/access-rights/definitions';
import { actorOf, readerOf, type Caller } from './caller';
import { notFound } from './errors';
import type { AccessRightsGateway } from './gateways/access-rights';
import { requireAccess } from './policy';

export const ACCESS_RIGHTS_STATES = ['active', 'locked', 'blocked', 'deactivated'] as const satisfies readonly AccessRightsState[];

export interface AccessRightsView {
  userId: string;
  canton: string;
  state: AccessRightsState;
  lockedUntil: string | null;
  failuresInARow: number;
  lastSignInAt: string | null;
  deactivatesAt: string | null;
  updatedAt: string;
  /** The Chancellery's open task on it (a block to lift, an account to reactivate), if any */
  openTaskId: string | null;
}

type Row = NonNullable<Awaited<ReturnType<Db['accessRights']['findUnique']>>>;

const view = (r: Row, openTaskId: string | null): AccessRightsView => ({
  userId: r.userId,
  canton: r.canton,
  state: r.state as AccessRightsState,
  lockedUntil: r.lockedUntil?.toISOString() ?? null,
  failuresInARow: r.failuresInARow,
  lastSignInAt: r.lastSignInAt?.toISOString() ?? null,
  deactivatesAt: r.deactivatesAt?.toISOString() ?? null,
  updatedAt: r.updatedAt.toISOString(),
  openTaskId,
});

export function accessRightsUseCases({ db, accessRights }: { db: Db; accessRights: AccessRightsGateway }) {
  async function openTasks(userIds: string[]): Promise<Map<string, string>> {
    const tasks = await db.task.findMany({
      where: { status: 'open', workflowId: { in: userIds.map(accessRightsWorkflowId) } },
      select: { id: true, workflowId: true },
    });
    return new Map(tasks.map((t) => [t.workflowId, t.id]));
  }

  return {
    /**
     * Starts the account's access-rights process once its contract is concluded (NE 3.1);
     * idempotent. false: it runs already, or the deployment's rule set has no access rights (JU).
     */
    async ensureAccessRights(userId: string): Promise<boolean> {
      if (!accessRights.applies()) return false;
      return accessRights.start(userId);
    },

    /**
     * NE 4.3: lost or stolen access rights, replaced on the person's request: a new user code and
     * initial password by two letters, the old ones void; the fee is noted in the audit trail.
     * `requestId` makes a retry replace once. Resolves once the letters are posted.
     */
    async replace(
      caller: Caller,
      userId: string,
      requestId: string,
    ): Promise<{ userId: string; generation: number; fee: { amountChf: number | null; notice: string } }> {
      requireAccess(caller.principal, 'administer', { type: 'access-rights' }, 'account');
      const credential = await db.credential.findUnique({ where: { userId }, select: { userId: true } });
      if (!credential || !accessRights.applies()) throw notFound('account');
      const { generation } = await accessRights.replaceCredentials(userId, { by: caller.principal.sub, requestId });
      return { userId, generation, fee: accessRights.replacementFee() };
    },

    /**
     * NE 5.3: "elle est tenue de communiquer son nouveau numéro de mobile à la chancellerie
     * d'État": the Chancellery records it; the next sign-in code goes there. Kept as a contact
     * change, with what it replaced (its evidence, destroyed with the register entry).
     */
    async recordMobilePhone(caller: Caller, userId: string, mobilePhone: string): Promise<{ userId: string; changedAt: string }> {
      requireAccess(caller.principal, 'administer', { type: 'access-rights' }, 'account');
      const user = await db.registeredUser.findUnique({ where: { id: userId }, select: { id: true, mobilePhone: true } });
      if (!user || !accessRights.applies()) throw notFound('account');
      const changedAt = new Date();
      await db.$transaction(async (tx) => {
        await tx.registeredUser.update({ where: { id: userId }, data: { mobilePhone } });
        await tx.contactChange.create({
          data: {
            id: randomUUID(),
            userId,
            changedAt,
            changedBy: caller.principal.sub,
            requestId: caller.requestId,
            previous: { mobilePhone: user.mobilePhone },
            current: { mobilePhone },
          },
        });
        await writeAudit(tx, { ...actorOf(caller), action: 'registered-user.mobile-phone-changed', recordType: 'registered-user', recordId: userId });
      });
      return { userId, changedAt: changedAt.toISOString() };
    },

    /** One account's access rights (404: none, or not the Chancellery). */
    async of(caller: Caller, userId: string): Promise<AccessRightsView> {
      requireAccess(caller.principal, 'read-personal-data', { type: 'access-rights' }, 'account');
      const row = await db.accessRights.findUnique({ where: { userId } });
      if (!row) throw notFound('account');
      await writeAccessLog(db, {
        ...readerOf(caller),
        action: 'read.access-rights',
        recordType: 'registered-user',
        recordId: userId,
        purpose: "the Chancellery reads an account's access rights to lift a block or reactivate it (NE 7.4, 7.6)",
      });
      return view(row, (await openTasks([userId])).get(accessRightsWorkflowId(userId)) ?? null);
    },

    /** The accounts in a state, by account id; `after` is the previous page's nextCursor. */
    async list(
      caller: Caller,
      q: { state: AccessRightsState; limit: number; after?: string },
    ): Promise<{ items: AccessRightsView[]; nextCursor: string | null }> {
      requireAccess(caller.principal, 'read-personal-data', { type: 'access-rights' }, 'account');
      const rows = await db.accessRights.findMany({
        where: { state: q.state, ...(q.after ? { userId: { gt: q.after } } : {}) },
        orderBy: { userId: 'asc' },
        take: q.limit + 1,
      });
      const page = rows.slice(0, q.limit);
      await writeAccessLog(db, {
        ...readerOf(caller),
        action: `read.access-rights-list.${q.state}`,
        recordType: 'registered-user',
        recordId: null,
        purpose: `the Chancellery lists the ${q.state} accounts (NE 7.1, 7.4, 7.6)`,
        count: page.length,
      });
      const tasks = await openTasks(page.map((r) => r.userId));
      return {
        items: page.map((r) => view(r, tasks.get(accessRightsWorkflowId(r.userId)) ?? null)),
        nextCursor: rows.length > q.limit ? page[page.length - 1]!.userId : null,
      };
    },
  };
}
