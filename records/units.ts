// The units' own settings kept by the engine.
import type { Db } from '../infra/db';
import { openAtRest, sealAtRest, sealedKeyId, type AtRestKeys } from '../infra/secret-box';

/** What a unit's webhook secret is sealed for (infra/secret-box.ts). */
export const WEBHOOK_SECRET = 'webhook-secret';

/**
 * Seals every webhook secret stored in clear (set by SQL, by `npm start`'s demo units, or before
 * secrets were sealed), and seals again under the active key every secret sealed under an older
 * one of the ring, so a retired payload key can be dropped. Run at the worker's start; a row
 * changed meanwhile is left to the next. Returns how many it sealed.
 */
export async function sealUnitSecrets(db: Db, k: AtRestKeys, only?: { unitIds: string[] }): Promise<number> {
  const units = await db.unit.findMany({
    where: { webhookSecret: { not: null }, ...(only ? { id: { in: only.unitIds } } : {}) },
    select: { id: true, webhookSecret: true },
  });
  let sealed = 0;
  for (const u of units) {
    if (!u.webhookSecret) continue;
    const keyId = sealedKeyId(u.webhookSecret);
    if (keyId === k.activeKeyId || (keyId !== null && !k.keys.has(keyId))) continue; // a key this worker lacks: left as it is
    const r = await db.unit.updateMany({
      where: { id: u.id, webhookSecret: u.webhookSecret },
      data: { webhookSecret: sealAtRest(k, WEBHOOK_SECRET, openAtRest(k, WEBHOOK_SECRET, u.webhookSecret)) },
    });
    sealed += r.count;
  }
  return sealed;
}

/** How many webhook secrets are sealed under each payload key (`clear` for those not sealed yet). */
export async function unitSecretsByKey(db: Db): Promise<Record<string, number>> {
  const units = await db.unit.findMany({ where: { webhookSecret: { not: null } }, select: { webhookSecret: true } });
  const by: Record<string, number> = {};
  for (const u of units) {
    const keyId = sealedKeyId(u.webhookSecret!) ?? 'clear';
    by[keyId] = (by[keyId] ?? 0) + 1;
  }
  return by;
}
