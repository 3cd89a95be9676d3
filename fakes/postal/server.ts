// A stand-in for the postal service's gateway for registered letters, which we cannot run
// here. It speaks the small HTTP API the real adapter (activities/postal.ts) uses: it takes a
// letter (recipient + PDF), answers a tracking number, and keeps the letter in memory so
// tests and demos can look at what was posted. Tracking events (delivered, notice left,
// returned) are not sent from here: the postal side reports them to our API on its own.
// It logs nothing: letters carry names and addresses.
import express, { type Express, type Request, type Response } from 'express';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { finishApp, listenOn } from '../http';

/** Our letter ids: opaque, URL-safe (the decision id, a UUID, in practice). */
const LETTER_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const MAX_PDF_BYTES = 15 * 1024 * 1024;

const recipientSchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  street: z.string().trim().min(1).max(200),
  postCode: z.string().regex(/^\d{4}$/, 'a Swiss post code (4 digits)'),
  locality: z.string().trim().min(1).max(100),
});
const letterBody = z.strictObject({
  letterId: z.string().regex(LETTER_ID),
  recipient: recipientSchema,
  pdfBase64: z.base64().min(8),
});

export type PostalRecipient = z.infer<typeof recipientSchema>;

/** A registered letter as the gateway keeps it. */
export interface Letter {
  letterId: string;
  trackingNumber: string;
  recipient: PostalRecipient;
  /** When the gateway accepted it (ISO instant). */
  acceptedAt: string;
  pdfBytes: number;
  pdfSha256: string;
}

interface StoredLetter extends Letter {
  pdf: Buffer;
}

/**
 * A registered-mail number in the Swiss Post style, "98.00.123456.12345678" ("98" the
 * registered product, "00" the service): the same letter id always gives the same number.
 */
export function trackingNumberFor(letterId: string): string {
  const digits = BigInt(`0x${createHash('sha256').update(`registered:${letterId}`).digest('hex').slice(0, 24)}`)
    .toString()
    .padStart(14, '0')
    .slice(-14);
  return `98.00.${digits.slice(0, 6)}.${digits.slice(6)}`;
}

const sameRecipient = (a: PostalRecipient, b: PostalRecipient) =>
  a.name === b.name && a.street === b.street && a.postCode === b.postCode && a.locality === b.locality;

const publicView = ({ pdf: _pdf, recipient, ...rest }: StoredLetter): Letter => ({ ...rest, recipient: { ...recipient } });

/** What the control endpoints change; shared by the app and the handle returned by startFakePostal. */
export class FakePostalState {
  down = false;
  latencyMs = 0;
  readonly letters = new Map<string, StoredLetter>();
  /** Delayed answers still pending, so close() need not wait for them. */
  readonly timers = new Set<NodeJS.Timeout>();
}

const outageBody = z.strictObject({ down: z.boolean() });
const latencyBody = z.strictObject({ ms: z.number().int().min(0).max(600_000) });

/** The express app alone (no listening), driven by `state`. */
export function createFakePostalApp(state = new FakePostalState()): Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');

  /** Answers after the configured latency, or 503 while down. */
  function gateway<P>(answer: (req: Request<P>, res: Response) => void) {
    return (req: Request<P>, res: Response) => {
      const respond = () => {
        if (state.down) {
          res.status(503).json({ error: 'postal gateway unavailable' });
          return;
        }
        answer(req, res);
      };
      if (state.latencyMs === 0) return respond();
      const timer = setTimeout(() => {
        state.timers.delete(timer);
        if (!res.writableEnded && !res.destroyed) respond();
      }, state.latencyMs);
      state.timers.add(timer);
    };
  }

  // base64 is 4/3 of the PDF, plus the JSON around it.
  app.use('/v1', express.json({ limit: Math.ceil((MAX_PDF_BYTES * 4) / 3) + 64 * 1024 }));

  app.post(
    '/v1/registered-letters',
    gateway((req, res) => {
      const body = letterBody.safeParse(req.body);
      if (!body.success) {
        // Names the fields at fault, never their values (names and addresses).
        const fields = [...new Set(body.error.issues.map((i) => i.path.join('.') || '(body)'))];
        res.status(400).json({ error: 'invalid letter', fields });
        return;
      }
      const { letterId, recipient, pdfBase64 } = body.data;
      const pdf = Buffer.from(pdfBase64, 'base64');
      if (pdf.subarray(0, 5).toString('latin1') !== '%PDF-') {
        res.status(400).json({ error: 'invalid letter', fields: ['pdfBase64'] });
        return;
      }
      if (pdf.length > MAX_PDF_BYTES) {
        res.status(413).json({ error: 'the PDF is too large' });
        return;
      }
      const pdfSha256 = createHash('sha256').update(pdf).digest('hex');
      const known = state.letters.get(letterId);
      if (known) {
        // The same letter again (a retry): the same answer. Another letter under that id: refused.
        if (known.pdfSha256 !== pdfSha256 || !sameRecipient(known.recipient, recipient)) {
          res.status(409).json({ error: 'another letter was already posted under this letterId', letterId });
          return;
        }
        res.status(200).json({ letterId, trackingNumber: known.trackingNumber });
        return;
      }
      const letter: StoredLetter = {
        letterId,
        trackingNumber: trackingNumberFor(letterId),
        recipient,
        acceptedAt: new Date().toISOString(),
        pdfBytes: pdf.length,
        pdfSha256,
        pdf,
      };
      state.letters.set(letterId, letter);
      res.status(201).json({ letterId, trackingNumber: letter.trackingNumber });
    }),
  );

  app.get(
    '/v1/registered-letters/:letterId',
    gateway<{ letterId: string }>((req, res) => {
      const letter = state.letters.get(req.params.letterId);
      if (!letter) {
        res.status(404).json({ error: 'no such letter' });
        return;
      }
      res.json(publicView(letter));
    }),
  );

  app.use('/_control', express.json());
  app.get('/_control/letters', (_req, res) => {
    res.json({ letters: [...state.letters.values()].map(publicView) });
  });
  app.get('/_control/letters/:letterId/pdf', (req: Request<{ letterId: string }>, res) => {
    const letter = state.letters.get(req.params.letterId);
    if (!letter) {
      res.status(404).json({ error: 'no such letter' });
      return;
    }
    res.type('application/pdf').send(letter.pdf);
  });
  app.delete('/_control/letters', (_req, res) => {
    state.letters.clear();
    res.json({ letters: [] });
  });
  app.post('/_control/outage', (req, res) => {
    const body = outageBody.safeParse(req.body);
    if (!body.success) {
      res.status(400).json({ error: 'expected { down: boolean }' });
      return;
    }
    state.down = body.data.down;
    res.json({ down: state.down });
  });
  app.post('/_control/latency', (req, res) => {
    const body = latencyBody.safeParse(req.body);
    if (!body.success) {
      res.status(400).json({ error: 'expected { ms: integer 0..600000 }' });
      return;
    }
    state.latencyMs = body.data.ms;
    res.json({ latencyMs: state.latencyMs });
  });

  return finishApp(app, 'the PDF is too large');
}

export interface FakePostalOptions {
  /** 0 lets the OS pick one */
  port: number;
  host?: string;
}

export interface FakePostal {
  url: string;
  /** The letters accepted so far, oldest first (no PDF). */
  letters(): Letter[];
  /** The PDF of a letter, as posted. */
  pdfOf(letterId: string): Buffer | undefined;
  /** While down, every /v1 request answers 503. */
  setOutage(down: boolean): void;
  /** Delays every /v1 answer by `ms`. */
  setLatency(ms: number): void;
  close(): Promise<void>;
}

export async function startFakePostal({ port, host = '127.0.0.1' }: FakePostalOptions): Promise<FakePostal> {
  const state = new FakePostalState();
  const app = createFakePostalApp(state);
  const clearTimers = () => {
    for (const t of state.timers) clearTimeout(t);
    state.timers.clear();
  };
  const { url, close } = await listenOn(app, port, host, clearTimers);
  return {
    url,
    letters: () => [...state.letters.values()].map(publicView),
    pdfOf: (letterId) => {
      const pdf = state.letters.get(letterId)?.pdf;
      return pdf ? Buffer.from(pdf) : undefined;
    },
    setOutage: (down) => {
      state.down = down;
    },
    setLatency: (ms) => {
      state.latencyMs = ms;
    },
    close,
  };
}
