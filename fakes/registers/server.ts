// A stand-in for the cantonal resident register and the protection authority's (APEA)
// register, which we cannot run here. It speaks the same small HTTP API the real adapters
// (activities/registers.ts) use, serves people from a JSON fixture, and can be told to fail
// or be slow so tests and demos can show what the processes do when a register is down.
// It logs nothing: the fixture is fake, but the habit of not logging AVS numbers is not.
import express, { type Express, type Request, type Response } from 'express';
import { z } from 'zod';
import { finishApp, listenOn } from '../http';
import { isValidAvsNumber, normalizeAvs } from '../../domain/avs';
import { FixtureError, loadFixtureFile } from '../fixture';
export { FixtureError };

export type RegisterName = 'resident' | 'protection';
const REGISTERS: readonly RegisterName[] = ['resident', 'protection'];

const personSchema = z
  .strictObject({
    avsNumber: z.string().refine(isValidAvsNumber, 'not a valid AVS number (756.XXXX.XXXX.XC or 13 digits, EAN-13 check digit)'),
    lastName: z.string().min(1),
    firstName: z.string().min(1),
    birthDate: z.iso.date('expected a real date YYYY-MM-DD'),
    domiciledInCanton: z.boolean(),
    commune: z.string().min(1).nullable(),
    protectionMeasure: z.boolean(),
  })
  .superRefine((p, ctx) => {
    // The register knows a commune exactly for the people domiciled in the canton.
    if (p.domiciledInCanton && p.commune === null) {
      ctx.addIssue({ code: 'custom', path: ['commune'], message: 'required when domiciledInCanton is true' });
    }
  });
const fixtureSchema = z.strictObject({ people: z.array(personSchema) });

export type FakePerson = z.infer<typeof personSchema>;

/**
 * Reads and checks a fixture file; throws a FixtureError naming the entry and field at fault.
 * Messages name entries by index, never by AVS number or name.
 */
export function loadFixture(fixturePath: string): FakePerson[] {
  return loadFixtureFile('register', fixturePath, fixtureSchema, 'people', {
    field: 'avsNumber',
    what: 'AVS number',
    key: (p) => normalizeAvs(p.avsNumber) as string,
  });
}

/** What the control endpoints change; shared by the app and the handle returned by startFakeRegisters. */
export class FakeRegistersState {
  readonly down: Record<RegisterName, boolean> = { resident: false, protection: false };
  readonly latencyMs: Record<RegisterName, number> = { resident: 0, protection: 0 };
  readonly requests: Record<RegisterName, number> = { resident: 0, protection: 0 };
  /** Delayed answers still pending, so close() need not wait for them. */
  readonly timers = new Set<NodeJS.Timeout>();

  setOutage(down: boolean, register?: RegisterName): void {
    for (const r of register ? [register] : REGISTERS) this.down[r] = down;
  }

  setLatency(ms: number, register?: RegisterName): void {
    for (const r of register ? [register] : REGISTERS) this.latencyMs[r] = ms;
  }
}

const registerField = z.enum(['resident', 'protection']).optional();
const outageBody = z.strictObject({ down: z.boolean(), register: registerField });
const latencyBody = z.strictObject({ ms: z.number().int().min(0).max(600_000), register: registerField });

/** The express app alone (no listening): the fake registers over `people`, driven by `state`. */
export function createFakeRegistersApp(people: readonly FakePerson[], state = new FakeRegistersState()): Express {
  const byAvs = new Map(people.map((p) => [normalizeAvs(p.avsNumber) as string, p]));
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');

  /** Counts the lookup, then answers after the configured latency, or 503 while down. */
  function lookup(register: RegisterName, answer: (avs: string, res: Response) => void) {
    return (req: Request<{ avs: string }>, res: Response) => {
      state.requests[register] += 1;
      const respond = () => {
        if (state.down[register]) {
          res.status(503).json({ error: `${register} register unavailable` });
          return;
        }
        const avs = normalizeAvs(req.params.avs);
        if (avs === null) {
          res.status(400).json({ error: 'malformed AVS number' });
          return;
        }
        answer(avs, res);
      };
      const ms = state.latencyMs[register];
      if (ms === 0) return respond();
      const timer = setTimeout(() => {
        state.timers.delete(timer);
        // The client may have given up (timeout) meanwhile: nothing to answer then.
        if (!res.writableEnded && !res.destroyed) respond();
      }, ms);
      state.timers.add(timer);
    };
  }

  app.get(
    '/resident-register/v1/persons/:avs',
    lookup('resident', (avs, res) => {
      const p = byAvs.get(avs);
      if (!p) {
        res.status(404).json({ error: 'not found' });
        return;
      }
      // Only what the checks need: no names, no address.
      res.json({
        avsNumber: avs,
        birthDate: p.birthDate,
        domiciledInCanton: p.domiciledInCanton,
        commune: p.domiciledInCanton ? p.commune : null,
        protectionMeasure: p.protectionMeasure,
      });
    }),
  );

  app.get(
    '/protection-register/v1/measures/:avs',
    lookup('protection', (avs, res) => {
      res.json({ avsNumber: avs, protectionMeasure: byAvs.get(avs)?.protectionMeasure ?? false });
    }),
  );

  app.use('/_control', express.json());
  app.post('/_control/outage', (req, res) => {
    const body = outageBody.safeParse(req.body);
    if (!body.success) {
      res.status(400).json({ error: 'expected { down: boolean, register?: "resident" | "protection" }' });
      return;
    }
    state.setOutage(body.data.down, body.data.register);
    res.json({ down: state.down });
  });
  app.post('/_control/latency', (req, res) => {
    const body = latencyBody.safeParse(req.body);
    if (!body.success) {
      res.status(400).json({ error: 'expected { ms: integer 0..600000, register?: "resident" | "protection" }' });
      return;
    }
    state.setLatency(body.data.ms, body.data.register);
    res.json({ latencyMs: state.latencyMs });
  });
  app.get('/_control/requests', (_req, res) => {
    res.json(state.requests);
  });
  app.delete('/_control/requests', (_req, res) => {
    for (const r of REGISTERS) state.requests[r] = 0;
    res.json(state.requests);
  });

  return finishApp(app);
}

export interface FakeRegistersOptions {
  /** 0 lets the OS pick one */
  port: number;
  host?: string;
  fixturePath: string;
}

export interface FakeRegisters {
  url: string;
  residentUrl: string;
  protectionUrl: string;
  /** Both registers, or only `register`, answer 503 while down. */
  setOutage(down: boolean, register?: RegisterName): void;
  /** Delays every lookup by `ms` (both registers, or only `register`). */
  setLatency(ms: number, register?: RegisterName): void;
  /** Lookups received per register, including those answered 503 or 400. */
  requests(): Record<RegisterName, number>;
  close(): Promise<void>;
}

/** Loads the fixture (rejects with a FixtureError if it is bad) and listens. */
export async function startFakeRegisters({ port, host = '127.0.0.1', fixturePath }: FakeRegistersOptions): Promise<FakeRegisters> {
  const people = loadFixture(fixturePath);
  const state = new FakeRegistersState();
  const app = createFakeRegistersApp(people, state);
  const { url, close } = await listenOn(app, port, host, () => {
    for (const t of state.timers) clearTimeout(t);
    state.timers.clear();
  });
  return {
    url,
    residentUrl: `${url}/resident-register`,
    protectionUrl: `${url}/protection-register`,
    setOutage: (down, register) => state.setOutage(down, register),
    setLatency: (ms, register) => state.setLatency(ms, register),
    requests: () => ({ ...state.requests }),
    close,
  };
}
