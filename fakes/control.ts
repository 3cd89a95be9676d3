// What the single-service fakes share (the commercial register, the SMS gateway): an outage
// switch, an answer latency, a request count, and the `/_control` endpoints that set them.
// Control endpoints need no credentials: they exist only on the fakes.
import express, { type Express, type Response } from 'express';
import { z } from 'zod';

export class FakeServiceState {
  down = false;
  latencyMs = 0;
  /** Requests received, including those answered 401, 400 or 503. */
  requests = 0;
  /** Delayed answers still pending, so close() need not wait for them. */
  readonly timers = new Set<NodeJS.Timeout>();

  setOutage(down: boolean): void {
    this.down = down;
  }

  setLatency(ms: number): void {
    this.latencyMs = ms;
  }

  /** Answers now, or after the latency unless the client gave up meanwhile (a timeout). */
  delayed(res: Response, respond: () => void): void {
    if (this.latencyMs === 0) return respond();
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!res.writableEnded && !res.destroyed) respond();
    }, this.latencyMs);
    this.timers.add(timer);
  }

  /** Drops the pending delayed answers (at close). */
  clearTimers(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}

const outageBody = z.strictObject({ down: z.boolean() });
const latencyBody = z.strictObject({ ms: z.number().int().min(0).max(600_000) });

/** POST /_control/outage {down}, POST /_control/latency {ms}, GET and DELETE /_control/requests. */
export function controlRoutes(app: Express, state: FakeServiceState): void {
  app.use('/_control', express.json()); // a second use is a no-op: the body is parsed once
  app.post('/_control/outage', (req, res) => {
    const body = outageBody.safeParse(req.body);
    if (!body.success) {
      res.status(400).json({ error: 'expected { down: boolean }' });
      return;
    }
    state.setOutage(body.data.down);
    res.json({ down: state.down });
  });
  app.post('/_control/latency', (req, res) => {
    const body = latencyBody.safeParse(req.body);
    if (!body.success) {
      res.status(400).json({ error: 'expected { ms: integer 0..600000 }' });
      return;
    }
    state.setLatency(body.data.ms);
    res.json({ latencyMs: state.latencyMs });
  });
  app.get('/_control/requests', (_req, res) => {
    res.json({ requests: state.requests });
  });
  app.delete('/_control/requests', (_req, res) => {
    state.requests = 0;
    res.json({ requests: state.requests });
  });
}
