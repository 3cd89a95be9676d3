// Codec server for the Temporal Web UI and CLI: operators see decoded payloads only through
// it, only with the operator role. The UI calls it from the browser (CORS), sending either
// the operator's bearer token or, with "include credentials", the session cookie set here.
import express, { Router, type RequestHandler } from 'express';
import type { Payload } from '@temporalio/common';
import { z } from 'zod';
import type { AesGcmCodec } from '../../infra/codec';
import { DataKeyCodec, KeyDestroyedError, type DataKeyStore } from '../../infra/data-keys';
import type { Db } from '../../infra/db';
import { KeyUnavailableError, UndecodablePayloadError } from '../../infra/codec';
import { writeAccessLog } from '../../records/access-log';
import { bearerToken, type Verifier } from '../auth';
import { ApiError, errorBody } from '../errors';
import { readBody } from '../http';
import { unlimited } from '../rate-limits';

const COOKIE = 'gvs_codec';

const payloadsBody = z.object({
  payloads: z.array(z.object({ metadata: z.record(z.string(), z.string()).optional(), data: z.string().optional() })),
});

const fromJson = (p: { metadata?: Record<string, string>; data?: string }): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: p.data === undefined ? undefined : Buffer.from(p.data, 'base64'),
});
const toJson = (p: Payload) => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  data: p.data ? Buffer.from(p.data).toString('base64') : undefined,
});

function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

/** What the UI shows for a payload whose record was destroyed: a readable JSON note. */
const destroyedNote = (err: KeyDestroyedError): Payload => ({
  metadata: { encoding: Buffer.from('json/plain') },
  data: Buffer.from(JSON.stringify({ error: 'key-destroyed', dataKey: err.dataKeyId, message: err.message })),
});

export function codecRoutes(opts: {
  codec: AesGcmCodec;
  dataKeys: DataKeyStore | null;
  db: Db;
  verify: Verifier;
  corsOrigins: string[];
  secureCookie: boolean;
  /** BODY_LIMIT: the payloads a request may carry at most. */
  bodyLimit?: string;
  /** The sign-in form's limit per address (api/rate-limits.ts). */
  perAddress?: RequestHandler;
}): Router {
  const router = Router();
  const dataKeyCodec = new DataKeyCodec(opts.dataKeys);
  // An operator's encode never makes a data key: a payload is sealed only under a record's key
  // that exists (else 422), so /codec/encode cannot fill the key table with rows of its choosing.
  const store = opts.dataKeys;
  const existingKeyCodec = new DataKeyCodec(
    store && { forEncrypt: (id) => store.forDecrypt(id), forDecrypt: (id) => store.forDecrypt(id), destroy: () => Promise.resolve(false) },
  );
  // Decoding goes through both layers, payload by payload: a destroyed record's payload
  // answers "key destroyed" and the others still decode. Encoding mirrors the worker.
  const codecs = {
    async decode(payloads: Payload[]): Promise<Payload[]> {
      const opened = await opts.codec.decode(payloads);
      return Promise.all(
        opened.map(async (p) => {
          try {
            return (await dataKeyCodec.decode([p]))[0]!;
          } catch (err) {
            if (err instanceof KeyDestroyedError) return destroyedNote(err);
            throw err;
          }
        }),
      );
    },
    async encode(payloads: Payload[]): Promise<Payload[]> {
      return opts.codec.encode(await existingKeyCodec.encode(payloads));
    },
  };

  const cors: RequestHandler = (req, res, next) => {
    const origin = req.headers.origin;
    if (origin && opts.corsOrigins.includes(origin)) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
      res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
      res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type, X-Namespace');
      res.setHeader('Vary', 'Origin');
    }
    if (req.method === 'OPTIONS') {
      res.status(204).end();
      return;
    }
    next();
  };

  const operatorOnly: RequestHandler = async (req, _res, next) => {
    const token = bearerToken(req.headers.authorization) ?? readCookie(req.headers.cookie, COOKIE);
    if (!token) return next(new ApiError(401, 'unauthorized', 'an operator token is required to decode payloads'));
    try {
      req.principal = await opts.verify(token);
    } catch {
      return next(new ApiError(401, 'unauthorized', 'the token is invalid or expired'));
    }
    if (req.principal.role !== 'operator') return next(new ApiError(403, 'forbidden', 'only operators may decode payloads'));
    next();
  };

  const transform =
    (op: 'encode' | 'decode'): RequestHandler =>
    async (req, res) => {
      const parsed = payloadsBody.safeParse(req.body);
      if (!parsed.success) throw new ApiError(400, 'validation_failed', 'expected { payloads: [...] }');
      const payloads = parsed.data.payloads.map(fromJson);
      let out: Payload[];
      try {
        out = await codecs[op](payloads);
      } catch (err) {
        // Payloads this keyring cannot open are the caller's problem (422); anything else —
        // the data-key store unreachable, say — is ours, logged and answered 500.
        if (!(err instanceof UndecodablePayloadError || err instanceof KeyUnavailableError || err instanceof KeyDestroyedError)) throw err;
        res.status(422).json(errorBody('undecodable', err.message));
        return;
      }
      req.log?.info({ op, count: payloads.length, operator: req.principal?.sub, namespace: req.headers['x-namespace'] }, 'codec request');
      // Every decode is an operator reading what may be personal data, every encode one making
      // what a workflow would take as ours: the access log says who, when and why.
      const p = req.principal!;
      await writeAccessLog(opts.db, {
        actorRole: p.role,
        actorSub: p.sub,
        requestId: req.id === undefined ? null : String(req.id),
        statedPurpose: req.header('x-access-purpose'),
        action: `codec.${op}`,
        recordType: 'workflow-payloads',
        recordId: null,
        purpose: 'operating the workflow engine (Temporal Web UI / CLI)',
        count: payloads.length,
      });
      res.json({ payloads: out.map(toJson) });
    };

  router.use('/codec', cors);
  // The body is read once the operator is known (api/http.ts readBody).
  const body = readBody(opts.bodyLimit ?? '100kb');
  router.post('/codec/decode', operatorOnly, body, transform('decode'));
  router.post('/codec/encode', operatorOnly, body, transform('encode'));

  // Sign-in for the Web UI in a browser: paste an operator token once, get a cookie scoped
  // to the codec endpoint (same site as the UI on loopback; SameSite=Lax).
  router.get('/codec/session', (_req, res) => {
    res.type('html').send(`<!doctype html><html lang="en"><meta charset="utf-8"><title>Codec sign-in</title>
<main style="font-family:sans-serif;max-width:40rem;margin:2rem auto">
<h1>Decode payloads in the Temporal Web UI</h1>
<p>Paste an operator token (<code>npm run token -- --role operator</code>). In the Web UI's codec
settings, tick <em>Include cross-origin credentials</em>.</p>
<form method="post" action="/codec/session"><label for="t">Operator token</label><br>
<textarea id="t" name="token" rows="6" cols="60" required></textarea><br><button type="submit">Sign in</button></form></main></html>`);
  });
  router.post('/codec/session', opts.perAddress ?? unlimited, express.urlencoded({ extended: false, limit: '16kb', inflate: false }), async (req, res) => {
    const token = String((req.body as { token?: string })?.token ?? '').trim();
    try {
      const principal = await opts.verify(token);
      if (principal.role !== 'operator') throw new ApiError(403, 'forbidden', 'only operators may decode payloads');
    } catch (err) {
      if (err instanceof ApiError) throw err;
      throw new ApiError(401, 'unauthorized', 'the token is invalid or expired');
    }
    res.cookie(COOKIE, token, { httpOnly: true, sameSite: 'lax', secure: opts.secureCookie, path: '/codec', maxAge: 8 * 3600_000 });
    res
      .type('html')
      .send('<!doctype html><html lang="en"><meta charset="utf-8"><title>Signed in</title><p>Signed in: the Web UI can now decode payloads.</p></html>');
  });

  return router;
}
