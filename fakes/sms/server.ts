// A stand-in for an SMS provider, which we cannot reach here: the sign-in codes (NE 4.1: "un
// code reçu par SMS") and the one-time transaction codes (NE 4.5) go out through it. It speaks
// the one call the adapter (activities/sms.ts) makes of Twilio's Programmable Messaging API,
// `POST /2010-04-01/Accounts/{AccountSid}/Messages.json` (README.md says what it follows and what
// not), checks the Basic credentials, the numbers and the body as Twilio documents them, keeps
// the messages it accepted for tests and demos, and can be told to fail or be slow. It logs
// nothing: a phone number and a message text are personal data, and a code is a secret.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import express, { type Express, type Request, type Response } from 'express';
import { finishApp, listenOn } from '../http';
import { controlRoutes, FakeServiceState } from '../control';

export interface SmsCredentials {
  /** The AccountSid in the path (AC + 32 hex digits). */
  accountId: string;
  /** Basic user: the AccountSid itself, or an API key's SID (SK…) of the account. */
  user: string;
  /** Basic password: the auth token, or the API key's secret. */
  password: string;
}

const DEMO_ACCOUNT = 'AC00000000000000000000000000000de0';
/** What `npm start` and the tests use when nothing else is configured (the fake only). */
export const DEMO_CREDENTIALS: SmsCredentials = { accountId: DEMO_ACCOUNT, user: DEMO_ACCOUNT, password: 'demo-auth-token' };
/** An alphanumeric sender ID (Twilio: up to 11 characters, at least one letter). */
export const DEMO_SENDER = 'GUICHET';

/** Twilio's limit for Body: 1,600 characters (error 21617 beyond). */
export const MAX_BODY_CHARS = 1600;

/** E.164: a plus, a country code not starting with 0, at most 15 digits in all. */
const E164 = /^\+[1-9]\d{6,14}$/;
/** Swiss numbers: +41 and 9 digits; mobile ones start 74-79 (OFCOM's numbering plan). */
const SWISS = /^\+41\d{9}$/;
const SWISS_MOBILE = /^\+417[4-9]\d{7}$/;
/** Twilio's alphanumeric sender ID: 1-11 of A-Z, a-z, 0-9 and space, at least one letter. */
const ALPHANUMERIC_SENDER = /^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$/;

// GSM 03.38: the basic set (one septet each) and its extension (escape + one septet).
const GSM_BASIC = new Set('@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà');
const GSM_EXTENSION = new Set('^{}\\[~]|€\f');

/** How many SMS a body takes: GSM-7 160 (153 when concatenated), else UCS-2 70 (67). */
export function segmentsOf(body: string): number {
  let septets = 0;
  for (const ch of body) {
    if (GSM_BASIC.has(ch)) septets += 1;
    else if (GSM_EXTENSION.has(ch)) septets += 2;
    else {
      const units = body.length; // UTF-16 code units, as UCS-2 counts them
      return units <= 70 ? 1 : Math.ceil(units / 67);
    }
  }
  return septets <= 160 ? 1 : Math.ceil(septets / 153);
}

/** A message the fake accepted, as it keeps it. */
export interface FakeSms {
  sid: string;
  to: string;
  from: string;
  body: string;
  numSegments: number;
  /** ISO 8601 */
  createdAt: string;
}

/** What the control endpoints change; shared by the app and the handle startFakeSms returns. */
export class FakeSmsState extends FakeServiceState {
  readonly sent: FakeSms[] = [];

  messages(to?: string): FakeSms[] {
    return this.sent.filter((m) => to === undefined || m.to === to).map((m) => ({ ...m }));
  }

  /** The last 6-digit code (digits not part of a longer number) sent to `to`, if any. */
  lastCodeTo(to: string): string | undefined {
    for (const m of this.messages(to).reverse()) {
      const code = /(?<!\d)\d{6}(?!\d)/.exec(m.body)?.[0];
      if (code) return code;
    }
    return undefined;
  }
}

/** Twilio's error body; `more_info` points at its error dictionary. */
function twilioError(res: Response, status: number, code: number, message: string): void {
  res.status(status).json({ code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** True when the request carries `Authorization: Basic` with exactly these credentials. */
function authorized(req: Request, expected: Buffer): boolean {
  const m = /^Basic ([A-Za-z0-9+/=]+)$/.exec(req.get('authorization') ?? '');
  if (!m?.[1]) return false;
  // Compared as digests: same length, constant time.
  return timingSafeEqual(digest(Buffer.from(m[1], 'base64').toString('utf8')), expected);
}

/** A form field given once, as a string; anything else (absent, repeated) is undefined. */
function field(body: unknown, name: string): string | undefined {
  const v = (body as Record<string, unknown> | undefined)?.[name];
  return typeof v === 'string' ? v : undefined;
}

/** Twilio's Message resource for one the fake accepted (the fields it documents; no prices). */
function messageResource(m: FakeSms, accountId: string) {
  const date = new Date(m.createdAt).toUTCString().replace('GMT', '+0000');
  const uri = `/2010-04-01/Accounts/${accountId}/Messages/${m.sid}.json`;
  return {
    account_sid: accountId,
    api_version: '2010-04-01',
    body: m.body,
    date_created: date,
    date_sent: null,
    date_updated: date,
    direction: 'outbound-api',
    error_code: null,
    error_message: null,
    from: m.from,
    messaging_service_sid: null,
    num_media: '0',
    num_segments: String(m.numSegments),
    price: null,
    price_unit: null,
    sid: m.sid,
    status: 'queued',
    subresource_uris: { media: uri.replace(/\.json$/, '/Media.json') },
    to: m.to,
    uri,
  };
}

/** The express app alone (no listening): the fake provider driven by `state`. */
export function createFakeSmsApp(state = new FakeSmsState(), credentials: SmsCredentials = DEMO_CREDENTIALS): Express {
  const expected = digest(`${credentials.user}:${credentials.password}`);
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');

  /** Answers after the configured latency: 503 while down, 401 without the credentials, 404 for another account. */
  function api(answer: (req: Request<{ account: string; sid?: string }>, res: Response) => void) {
    return (req: Request<{ account: string; sid?: string }>, res: Response) => {
      const respond = () => {
        if (state.down) {
          twilioError(res, 503, 20503, 'Service unavailable');
          return;
        }
        if (!authorized(req, expected)) {
          res.set('www-authenticate', 'Basic realm="Twilio API"');
          twilioError(res, 401, 20003, 'Authenticate');
          return;
        }
        if (req.params.account !== credentials.accountId) {
          twilioError(res, 404, 20404, 'The requested resource was not found');
          return;
        }
        answer(req, res);
      };
      state.delayed(res, respond);
    };
  }

  // Twilio: "Create a Message resource" (send a message); form-encoded To, From, Body.
  app.post(
    '/2010-04-01/Accounts/:account/Messages.json',
    (req, _res, next) => {
      state.requests += 1;
      next();
    },
    express.urlencoded({ extended: false, limit: '64kb' }),
    api((req, res) => {
      const to = field(req.body, 'To');
      const from = field(req.body, 'From');
      const body = field(req.body, 'Body');
      // Unlike Twilio's, these messages never repeat the number: nothing personal in an error.
      if (!to) return twilioError(res, 400, 21604, "A 'To' phone number is required.");
      if (!E164.test(to) || (to.startsWith('+41') && !SWISS.test(to))) return twilioError(res, 400, 21211, "The 'To' number is not a valid phone number.");
      if (SWISS.test(to) && !SWISS_MOBILE.test(to)) return twilioError(res, 400, 21614, "The 'To' number is not a valid mobile number.");
      if (!from) return twilioError(res, 400, 21603, "A 'From' phone number is required.");
      if (!E164.test(from) && !ALPHANUMERIC_SENDER.test(from))
        return twilioError(res, 400, 21212, "The 'From' number is not a valid phone number or sender ID.");
      if (!body || body.trim() === '') return twilioError(res, 400, 21602, 'Message body is required.');
      if ([...body].length > MAX_BODY_CHARS) return twilioError(res, 400, 21617, 'The concatenated message body exceeds the 1600 character limit.');
      const message: FakeSms = {
        sid: `SM${randomBytes(16).toString('hex')}`,
        to,
        from,
        body,
        numSegments: segmentsOf(body),
        createdAt: new Date().toISOString(),
      };
      state.sent.push(message);
      res.status(201).json(messageResource(message, credentials.accountId));
    }),
  );

  // Twilio: "Fetch a Message resource".
  app.get(
    '/2010-04-01/Accounts/:account/Messages/:sid.json',
    api((req, res) => {
      const m = state.sent.find((s) => s.sid === req.params.sid);
      if (!m) return twilioError(res, 404, 20404, 'The requested resource was not found');
      res.json(messageResource(m, credentials.accountId));
    }),
  );

  // Control endpoints are outside the API: no credentials, as for the other fakes.
  // A `+` in a query string reads as a space: `?to=+41…` works unencoded too.
  const toQuery = (req: Request) => (typeof req.query.to === 'string' ? req.query.to.replace(/^ /, '+') : undefined);
  app.use('/_control', express.json());
  app.get('/_control/messages', (req, res) => {
    res.json({ messages: state.messages(toQuery(req)) });
  });
  app.delete('/_control/messages', (_req, res) => {
    state.sent.length = 0;
    res.json({ messages: [] });
  });
  app.get('/_control/last-code', (req, res) => {
    const to = toQuery(req);
    const code = to ? state.lastCodeTo(to) : undefined;
    if (!code) {
      res.status(404).json({ error: to ? 'no code sent to this number' : 'expected ?to=+41…' });
      return;
    }
    res.json({ code });
  });
  controlRoutes(app, state);

  // Unknown paths 404, and errors answered without their content (fakes/http.ts).
  return finishApp(app);
}

export interface FakeSmsOptions {
  /** 0 lets the OS pick one */
  port: number;
  host?: string;
  /** The account and Basic credentials it accepts (default DEMO_CREDENTIALS). */
  credentials?: SmsCredentials;
}

export interface FakeSmsGateway {
  /** The base the adapter is given, e.g. http://127.0.0.1:4070 (Twilio: https://api.twilio.com). */
  url: string;
  /** The messages accepted, oldest first; only those to `to` (E.164) when given. */
  messages(to?: string): FakeSms[];
  /** The last 6-digit code sent to `to`, if any. */
  lastCodeTo(to: string): string | undefined;
  /** Every API call answers 503 while down. */
  setOutage(down: boolean): void;
  /** Delays every API call by `ms`. */
  setLatency(ms: number): void;
  /** Send requests received, including those answered 401, 400 or 503. */
  requests(): number;
  close(): Promise<void>;
}

export async function startFakeSms({ port, host = '127.0.0.1', credentials = DEMO_CREDENTIALS }: FakeSmsOptions): Promise<FakeSmsGateway> {
  const state = new FakeSmsState();
  const app = createFakeSmsApp(state, credentials);
  const { url, close } = await listenOn(app, port, host, () => {
    state.clearTimers();
  });
  return {
    url,
    messages: (to) => state.messages(to),
    lastCodeTo: (to) => state.lastCodeTo(to),
    setOutage: (down) => state.setOutage(down),
    setLatency: (ms) => state.setLatency(ms),
    requests: () => state.requests,
    close,
  };
}
