// A proxy's changes (Art. 9.1-9.3; NE 3.2), written by its workflow before each Update answers.
import { voiceFor } from './formal-decision';
import type { Db } from '../infra/db';
import type { Mailer } from './ports';
import { SYSTEM_ACTOR, writeAudit } from '../records/audit';
import { sendOnce } from '../records/outbox';
import type { ProxyStatus, WrittenRevocation } from '../workflows/proxy/types';
import { writtenProxyTaskId } from '../workflows/proxy/definitions';
import { writtenProxyRefused } from './mail-templates';

/** The states a proxy may enter each state from: an ended proxy never comes back. */
const FROM: Record<ProxyStatus, ProxyStatus[]> = {
  offered: [],
  'awaiting-written-proxy': ['offered'],
  active: ['offered', 'awaiting-written-proxy'],
  refused: ['awaiting-written-proxy'],
  lapsed: ['offered'],
  expired: ['offered', 'active', 'awaiting-written-proxy'],
  revoked: ['offered', 'active', 'awaiting-written-proxy'],
};

export function createProxyActivities({ db, mailer }: { db: Db; mailer: Mailer }) {
  return {
    /** Idempotent: a retry writes the same state; an ended proxy never becomes active again. */
    async recordProxyState({
      proxyId,
      status,
      by,
      role,
      writtenRevocation,
    }: {
      proxyId: string;
      status: ProxyStatus;
      by?: string;
      /** The Chancellery recorded the written proxy, its refusal or a written revocation (else: the citizen's act) */
      role?: 'chancellery';
      writtenRevocation?: WrittenRevocation;
    }): Promise<void> {
      const at = new Date();
      const from = FROM[status];
      let count: number;
      if (status === 'active' || status === 'awaiting-written-proxy') {
        // The representative's acceptance is when he accepted, not when the Chancellery recorded the written proxy.
        const accepted = await db.proxy.updateMany({ where: { id: proxyId, status: 'offered' }, data: { status, acceptedAt: at } });
        const recorded =
          status === 'active' ? await db.proxy.updateMany({ where: { id: proxyId, status: 'awaiting-written-proxy' }, data: { status } }) : { count: 0 };
        count = accepted.count + recorded.count;
      } else {
        const data = {
          status,
          endedAt: at,
          ...(writtenRevocation
            ? { writtenRevocation: { receivedOn: writtenRevocation.receivedOn, from: writtenRevocation.from, recordedBy: writtenRevocation.by } }
            : {}),
        };
        count = (await db.proxy.updateMany({ where: { id: proxyId, status: { in: from } }, data })).count;
      }
      if (count === 0) return;
      const actor = by ? { actorRole: role ?? 'citizen', actorSub: by } : SYSTEM_ACTOR;
      const action = writtenRevocation ? 'proxy.revoked.in-writing' : role && status === 'active' ? 'proxy.written-proxy-recorded' : `proxy.${status}`;
      await writeAudit(db, { ...actor, action, recordType: 'proxy', recordId: proxyId });
    },

    /** NE 3.2: the written proxy was not recorded; the grantor hears why (the reasons from the task's row). */
    async sendProxyMail({ proxyId, template }: { proxyId: string; template: 'written-proxy-refused' }): Promise<void> {
      const p = await db.proxy.findUniqueOrThrow({ where: { id: proxyId } });
      const grantor = await db.registeredUser.findUnique({ where: { sub: p.grantorSub } });
      if (!grantor) return; // no register entry (any more): nobody to write to
      const sent = await sendOnce(db, mailer, {
        id: `${proxyId}:${template}`,
        template,
        recordType: 'proxy',
        recordId: proxyId,
        compose: async () => {
          const task = await db.task.findUniqueOrThrow({ where: { id: writtenProxyTaskId(proxyId) } });
          return {
            to: grantor.email,
            ...writtenProxyRefused({ firstName: grantor.firstName, lastName: grantor.lastName, proxyId, reasons: task.reasons }, voiceFor(p.canton)),
          };
        },
      });
      if (sent === 'rejected') await writeAudit(db, { ...SYSTEM_ACTOR, action: `mail.rejected.${template}`, recordType: 'proxy', recordId: proxyId });
    },
  };
}
