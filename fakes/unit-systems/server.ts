// A stand-in for the units' own systems (a commune's residents' register, a service's case
// management), which we cannot run here: the receiver of the engine's unit webhooks. It really
// checks what it is sent — the `guichet-signature` (HMAC-SHA256 over "<t>.<body>" with the
// unit's secret, at most 5 minutes old), the event id it deduplicates on, a JSON body — and
// keeps the events for the demo and tests (`GET /_control/events?unitId=`). It logs nothing.
import { createHmac, timingSafeEqual } from 'node:crypto';
import express from 'express';
import { finishApp, listenOn } from '../http';

export interface UnitEventReceived {
  unitId: string;
  eventId: string;
  type: string;
  receivedAt: string;
  body: Record<string, unknown>;
}

const TOLERANCE_S = 5 * 60;

/** True when `header` is "t=<unix s>,v1=<hex>" over `t.body` with `secret`, and fresh. */
export function validSignature(secret: string, header: string | undefined, body: string, nowS = Math.floor(Date.now() / 1000)): boolean {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header ?? '');
  if (!m) return false;
  const t = Number(m[1]);
  if (Math.abs(nowS - t) > TOLERANCE_S) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest();
  return timingSafeEqual(expected, Buffer.from(m[2]!, 'hex'));
}

export async function startFakeUnitSystems({
  port = 0,
  host = '127.0.0.1',
  secrets,
}: {
  port?: number;
  host?: string;
  secrets: (unitId: string) => string | undefined;
}) {
  const events: UnitEventReceived[] = [];
  const app = express();
  app.post('/hooks/:unitId', express.text({ type: 'application/json', limit: '256kb' }), (req, res) => {
    const unitId = String(req.params.unitId);
    const secret = secrets(unitId);
    const body = typeof req.body === 'string' ? req.body : '';
    if (!secret || !validSignature(secret, req.header('guichet-signature'), body)) {
      res.status(401).json({ error: 'not signed by the counter with this unit’s secret' });
      return;
    }
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(body) as Record<string, unknown>;
    } catch {
      res.status(400).json({ error: 'not JSON' });
      return;
    }
    const eventId = req.header('guichet-event-id') ?? '';
    if (!eventId || parsed.id !== eventId) {
      res.status(400).json({ error: 'the event id of the header and the body differ' });
      return;
    }
    // Delivered again (a retry after a lost answer): taken once.
    if (!events.some((e) => e.unitId === unitId && e.eventId === eventId))
      events.push({ unitId, eventId, type: String(parsed.type), receivedAt: new Date().toISOString(), body: parsed });
    res.status(204).end();
  });
  app.get('/_control/events', (req, res) => {
    const unitId = typeof req.query.unitId === 'string' ? req.query.unitId : undefined;
    res.json({ events: events.filter((e) => !unitId || e.unitId === unitId) });
  });
  const { url, close } = await listenOn(finishApp(app), port, host);
  return { url, events: () => [...events], hookUrl: (unitId: string) => `${url}/hooks/${encodeURIComponent(unitId)}`, close };
}
