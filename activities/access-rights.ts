// Neuchâtel's access rights (NE 7.1, 7.4, 7.6): what the per-account process writes — the
// row the Chancellery lists, the warning before deactivation — and the account it asks about.
import type { AccessRightsStatus } from '../domain/access-rights';
import { localDay } from '../domain/days';
import { ruleSetById } from '../domain/rule-sets';
import type { Db } from '../infra/db';
import { SYSTEM_ACTOR, writeAudit } from '../records/audit';
import { sendOnce } from '../records/outbox';
import { accessRightsDeactivationWarning } from './mail-templates';
import type { Mailer } from './ports';

export const ACCESS_RIGHTS_WARNING_TEMPLATE = 'access-rights-deactivation-warning';

export function createAccessRightsActivities({ db, mailer }: { db: Db; mailer: Mailer }) {
  return {
    /** Writes the account's state unless a newer version is there already (a retry, or a late write). */
    async mirrorAccessRights(m: AccessRightsStatus & { userId: string; canton: string; version: number; at: string }): Promise<void> {
      const data = {
        canton: m.canton,
        state: m.state,
        lockedUntil: m.lockedUntil ? new Date(m.lockedUntil) : null,
        failuresInARow: m.failuresInARow,
        lastSignInAt: m.lastSignInAt ? new Date(m.lastSignInAt) : null,
        deactivatesAt: m.deactivatesAt ? new Date(m.deactivatesAt) : null,
        version: m.version,
        updatedAt: new Date(m.at),
      };
      // The row and the audit of a change of state, together.
      await db.$transaction(async (tx) => {
        const before = await tx.accessRights.findUnique({ where: { userId: m.userId }, select: { state: true, version: true } });
        if (before && before.version > m.version) return;
        if (before) await tx.accessRights.updateMany({ where: { userId: m.userId, version: { lte: m.version } }, data });
        else
          await tx.$executeRaw`
            INSERT INTO access_rights (user_id, canton, state, locked_until, failures_in_a_row, last_sign_in_at, deactivates_at, version, updated_at)
            VALUES (${m.userId}, ${data.canton}, ${data.state}, ${data.lockedUntil}, ${data.failuresInARow}, ${data.lastSignInAt}, ${data.deactivatesAt}, ${data.version}, ${data.updatedAt})
            ON CONFLICT (user_id) DO NOTHING`;
        // Each change of state is audited once (a retry of the same version finds it written).
        if (before ? before.state !== m.state : m.state !== 'active')
          await writeAudit(tx, { ...SYSTEM_ACTOR, action: `access-rights.${m.state}`, recordType: 'registered-user', recordId: m.userId });
      });
    },

    /** The account's contract (the newest) and its application, for the Chancellery's task. */
    async accessRightsAccount({ userId }: { userId: string }): Promise<{ contractId: string | null; applicationId: string | null }> {
      const user = await db.registeredUser.findUnique({ where: { id: userId }, select: { applicationId: true } });
      const contract = await db.contract.findFirst({ where: { userId }, orderBy: { createdAt: 'desc' }, select: { id: true } });
      return { contractId: contract?.id ?? null, applicationId: user?.applicationId ?? null };
    },

    /** NE 7.4: the warning before deactivation, once per deactivation day (the outbox row is the proof). */
    async sendAccessRightsWarning({ userId, ruleSetId, deactivatesAt }: { userId: string; ruleSetId: string; deactivatesAt: string }): Promise<void> {
      const profile = ruleSetById(ruleSetId);
      const text = profile.accessRights?.texts.warningMail;
      const user = await db.registeredUser.findUnique({ where: { id: userId } });
      if (!text || !user) return; // no such rules, or no register entry (any more): nobody to write to
      const deactivatesOn = localDay(new Date(deactivatesAt), profile.timeZone);
      const id = `access-rights:${userId}:warning:${deactivatesOn}`;
      const sent = await sendOnce(db, mailer, {
        id,
        template: ACCESS_RIGHTS_WARNING_TEMPLATE,
        recordType: 'registered-user',
        recordId: userId,
        compose: async () => ({
          to: user.email,
          ...accessRightsDeactivationWarning({ firstName: user.firstName, lastName: user.lastName, deactivatesOn, text }),
        }),
      });
      if (sent === 'sent')
        await writeAudit(db, { ...SYSTEM_ACTOR, action: 'access-rights.deactivation-warned', recordType: 'registered-user', recordId: userId });
      if (sent === 'rejected')
        await writeAudit(db, { ...SYSTEM_ACTOR, action: `mail.rejected.${ACCESS_RIGHTS_WARNING_TEMPLATE}`, recordType: 'registered-user', recordId: userId });
    },
  };
}
