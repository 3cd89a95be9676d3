// A unit hears of what concerns it at its webhook: each event HMAC-signed, with an id it can
// deduplicate on, delivered once (a delivered event is not sent again, whatever the retries).
// A failure throws, so that Temporal retries with the caller's backoff. No personal data in
// an event: ids, states and days only; the unit reads the rest through the API.
import { createHmac } from 'node:crypto';
import type { Db } from '../infra/db';
import { openAtRest, type AtRestKeys } from '../infra/secret-box';
import { postTo, type AddressPolicy } from '../infra/outbound';
import { WEBHOOK_SECRET } from '../records/units';
import { isUniqueViolation } from '../records/unique';

/** The signature a unit checks: HMAC-SHA256 over "<timestamp>.<body>" with its secret. */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export interface UnitEvent {
  eventId: string;
  unitId: string;
  type: string;
  /** What it is about, for the delivery's row (a decision's id goes in `decisionId`). */
  about: { decisionId: string } | { recordType: 'access-request' | 'transaction'; recordId: string };
  /** The event's body besides its id and type */
  payload: Record<string, unknown>;
}

export interface UnitEventDeps {
  /** The keyring the unit's webhook secret is sealed under (infra/secret-box.ts). */
  atRest?: AtRestKeys;
  /** Which addresses a webhook may reach (infra/outbound.ts); absent: any (development). */
  webhookAddresses?: AddressPolicy;
}

export async function deliverUnitEvent(db: Db, e: UnitEvent, deps: UnitEventDeps = {}): Promise<'delivered' | 'no-webhook' | 'already-delivered'> {
  const { atRest } = deps;
  const unit = await db.unit.findUnique({ where: { id: e.unitId }, select: { webhookUrl: true, webhookSecret: true } });
  // The delivery's row first (one statement); a retry finds it there.
  try {
    await db.webhookDelivery.create({ data: { eventId: e.eventId, unitId: e.unitId, type: e.type, ...e.about }, select: { eventId: true } });
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    const delivery = await db.webhookDelivery.findUniqueOrThrow({ where: { eventId: e.eventId }, select: { deliveredAt: true } });
    if (delivery.deliveredAt) return 'already-delivered';
  }
  if (!unit?.webhookUrl || !unit.webhookSecret) return 'no-webhook';
  const secret = openAtRest(atRest, WEBHOOK_SECRET, unit.webhookSecret);
  const body = JSON.stringify({ id: e.eventId, type: e.type, ...e.payload });
  const timestamp = Math.floor(Date.now() / 1000);
  await db.webhookDelivery.update({ where: { eventId: e.eventId }, data: { attempts: { increment: 1 } } });
  // No redirect followed; outside development no internal address reached (infra/outbound.ts).
  const status = await postTo(
    unit.webhookUrl,
    { 'content-type': 'application/json', 'guichet-event-id': e.eventId, 'guichet-signature': signWebhook(secret, timestamp, body) },
    body,
    { timeoutMs: 10_000, policy: deps.webhookAddresses ?? null },
  );
  if (status < 200 || status > 299) throw new Error(`unit webhook answered ${status}; will retry`);
  await db.webhookDelivery.update({ where: { eventId: e.eventId }, data: { deliveredAt: new Date() } });
  return 'delivered';
}
