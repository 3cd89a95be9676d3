// A proxy's changes (Art. 9.1-9.3), written by its workflow before each Update answers.
import type { Db } from '../infra/db';
import { SYSTEM_ACTOR, writeAudit } from '../records/audit';
import type { ProxyStatus } from '../workflows/proxy/types';

export function createProxyActivities({ db }: { db: Db }) {
  return {
    /** Idempotent: a retry writes the same state; an ended proxy never becomes active again. */
    async recordProxyState({ proxyId, status, by }: { proxyId: string; status: ProxyStatus; by?: string }): Promise<void> {
      const at = new Date();
      const data = status === 'active' ? { status, acceptedAt: at } : { status, endedAt: at };
      const { count } = await db.proxy.updateMany({ where: { id: proxyId, status: { in: status === 'active' ? ['offered'] : ['offered', 'active'] } }, data });
      if (count === 0) return;
      const actor = by ? { actorRole: 'citizen', actorSub: by } : SYSTEM_ACTOR;
      await writeAudit(db, { ...actor, action: `proxy.${status}`, recordType: 'proxy', recordId: proxyId });
    },
  };
}
