// A stand-in for the online payment provider, which we cannot reach here: a citizen pays a
// service's fee (a residence attestation, CHF 20.00) before the unit handles the submission.
// It speaks the calls the adapter (infra/payments.ts) makes of Datatrans's JSON API v1 (README.md
// says what it follows and what not): init a transaction (`POST /v1/transactions`), the payment
// page (`/v1/start/{transactionId}`), its status (`GET /v1/transactions/{transactionId}`),
// settle and refund (`…/settle`, `…/credit`), and the signed webhook (`Datatrans-Signature`)
// sent, with retries, after each outcome. It checks the Basic credentials and the bodies as
// Datatrans documents them and answers in Datatrans's error shape. It keeps the transactions
// and webhook deliveries for tests and demos, and can be told to fail or be slow. It logs
// nothing: a payment is personal data (who paid for what).
import { createHash, createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import express, { type Express, type Request, type Response } from 'express';
import { z } from 'zod';
import { finishApp, listenOn } from '../http';
import { controlRoutes, FakeServiceState } from '../control';

export interface PaymentsCredentials {
  /** Datatrans: the merchantId (10 digits), the Basic user. */
  merchantId: string;
  /** The Basic password (the dashboard's "server to server" password). */
  password: string;
  /** The HMAC key that signs the webhooks, hex (as the dashboard shows it). */
  signKeyHex: string;
}

/** What `npm start` and the tests use when nothing else is configured (the fake only). */
export const DEMO_CREDENTIALS: PaymentsCredentials = {
  merchantId: '1100004242',
  password: 'demo-payments-password',
  signKeyHex: '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff',
};

/** Datatrans: refno is 1-40 characters (the limit grew from 20 to 40 in API 2.0.34). */
export const MAX_REFNO_CHARS = 40;
/** Datatrans keeps idempotency keys for 60 minutes. */
const IDEMPOTENCY_TTL_MS = 60 * 60_000;
/** Datatrans: an initialized transaction can be paid for 30 minutes. */
const INIT_VALIDITY_MS = 30 * 60_000;
/** The languages of Datatrans's payment page (init.language, ISO 639-1). */
const LANGUAGES = ['en', 'de', 'fr', 'it', 'es', 'el', 'fi', 'hu', 'ko', 'nl', 'no', 'da', 'pl', 'pt', 'ru', 'ja', 'sk', 'sl', 'sv', 'tr', 'zh'] as const;
/**
 * The top-level properties of Datatrans's InitRequest: any other is UNRECOGNIZED_PROPERTY, as
 * Datatrans answers. Only those the adapter sends are checked further; the others are accepted
 * and ignored (payment-method specific objects, customer data, themes, …).
 */
const INIT_PROPERTIES = new Set(
  'currency refno refno2 autoSettle customer billing shipping order card BON PAP PFC REK KLN TWI INT ALP ESY MFA SWP airlineData accertify threeRIData amount language paymentMethods theme redirect webhook option MFX MPX AZP EPS SWH VPS MBP WEC ELV SWB MDP PSC mcp extensions'.split(
    ' ',
  ),
);

/** Datatrans's transaction statuses (statusResponse.status). */
export type DatatransStatus =
  'initialized' | 'challenge_required' | 'challenge_ongoing' | 'authenticated' | 'authorized' | 'settled' | 'canceled' | 'transmitted' | 'failed';

/** What the citizen does on the payment page (or a test through `/_control`). */
export type PaymentOutcome = 'settle' | 'fail' | 'cancel';

interface HistoryEntry {
  action: 'init' | 'authorize' | 'settle' | 'credit' | 'cancel';
  amount: number;
  source: 'api' | 'redirect';
  date: string;
  success: boolean;
  ip: string;
}

/** A transaction as the fake keeps it. */
export interface FakeTransaction {
  transactionId: string;
  type: 'payment' | 'credit';
  status: DatatransStatus;
  currency: string;
  refno: string;
  refno2?: string;
  amount: number;
  autoSettle: boolean;
  language: string;
  redirect?: { successUrl: string; cancelUrl: string; errorUrl: string };
  webhookUrl?: string;
  /** ISO 8601 */
  createdAt: string;
  expiresAt: string;
  authorizedAmount?: number;
  settledAmount?: number;
  /** What credits (refunds) took back from this payment so far. */
  creditedAmount: number;
  /** A credit: the payment it refunds (kept by the fake; Datatrans links them in its dashboard). */
  refundOf?: string;
  /** The credits of this payment, oldest first. */
  credits: string[];
  fail?: { reason: string; message: string };
  history: HistoryEntry[];
}

/** One webhook the fake sends, with each attempt at delivering it. */
export interface FakeWebhookDelivery {
  id: string;
  transactionId: string;
  /** The transaction's status the payload carries. */
  status: DatatransStatus;
  url: string;
  state: 'pending' | 'delivered' | 'failed';
  attempts: Array<{ at: string; httpStatus?: number; error?: string }>;
}

export interface WebhookRetryPolicy {
  /** Attempts in all, the first one included. */
  attempts: number;
  /** The wait before the second attempt; it doubles after each failed one. */
  initialDelayMs: number;
  /** Each attempt's timeout. */
  timeoutMs: number;
}

const DEFAULT_RETRY: WebhookRetryPolicy = { attempts: 5, initialDelayMs: 200, timeoutMs: 5000 };

/** `Datatrans-Signature: t=<unix ms>,s0=<hex HMAC-SHA256(key, t + body)>`, the key hex-decoded. */
export function datatransSignature(signKeyHex: string, body: string | Buffer, t: number = Date.now()): string {
  const s0 = createHmac('sha256', Buffer.from(signKeyHex, 'hex'))
    .update(String(t))
    .update(typeof body === 'string' ? Buffer.from(body, 'utf8') : body)
    .digest('hex');
  return `t=${t},s0=${s0}`;
}

/** What the control endpoints change; shared by the app and the handle startFakePayments returns. */
export class FakePaymentsState extends FakeServiceState {
  readonly transactions = new Map<string, FakeTransaction>();
  readonly deliveries: FakeWebhookDelivery[] = [];
  /** Idempotency-Key → the answer given the first time, for 60 minutes. */
  readonly idempotent = new Map<string, { bodyHash: string; answer: { status: number; body?: unknown; location?: string }; expires: number }>();
  /** Aborts the webhook attempts in flight at close. */
  readonly closing = new AbortController();

  list(): FakeTransaction[] {
    return [...this.transactions.values()].map((t) => structuredClone(t));
  }

  webhooks(transactionId?: string): FakeWebhookDelivery[] {
    return this.deliveries.filter((d) => transactionId === undefined || d.transactionId === transactionId).map((d) => structuredClone(d));
  }
}

/** Datatrans's error body: `{ "error": { "code": "INVALID_PROPERTY", "message": "…" } }`. */
function failure(status: number, code: string, message: string) {
  return { status, body: { error: { code, message } } };
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** True when the request carries `Authorization: Basic` with exactly these credentials. */
function authorized(req: Request, expected: Buffer): boolean {
  const m = /^Basic ([A-Za-z0-9+/=]+)$/.exec(req.get('authorization') ?? '');
  if (!m?.[1]) return false;
  // Compared as digests: same length, constant time.
  return timingSafeEqual(digest(Buffer.from(m[1], 'base64').toString('utf8')), expected);
}

/** Datatrans's transaction ids are 18 digits; here a UTC time stamp and 6 random digits. */
function newTransactionId(): string {
  const d = new Date();
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const stamp = `${p(d.getUTCFullYear() % 100)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
  return `${stamp}${p(randomInt(0, 1_000_000), 6)}`;
}

/** Datatrans's Status API answer (and webhook payload) for a transaction: the fields it documents that apply here. */
export function statusResource(t: FakeTransaction, merchantId: string) {
  const detail: Record<string, unknown> = { init: { expires: t.expiresAt } };
  if (t.authorizedAmount !== undefined) detail.authorize = { amount: t.authorizedAmount, acquirerAuthorizationCode: '100000' };
  if (t.settledAmount !== undefined) detail.settle = { amount: t.settledAmount };
  if (t.status === 'canceled') detail.cancel = {};
  if (t.fail) detail.fail = t.fail;
  const paid = t.type === 'credit' || t.authorizedAmount !== undefined;
  return {
    transactionId: t.transactionId,
    merchantId,
    type: t.type,
    status: t.status,
    currency: t.currency,
    refno: t.refno,
    ...(t.refno2 ? { refno2: t.refno2 } : {}),
    ...(paid ? { paymentMethod: 'VIS' } : {}),
    detail,
    language: t.language,
    // Datatrans's test card, masked: never a real card.
    ...(paid
      ? {
          card: {
            masked: '424242xxxxxx4242',
            expiryMonth: '12',
            expiryYear: '30',
            info: { brand: 'VISA CREDIT', type: 'credit', usage: 'consumer', country: 'CH' },
          },
        }
      : {}),
    history: t.history,
  };
}

const url = z.url({ protocol: /^https?$/ });
const refno = z.string().min(1).max(MAX_REFNO_CHARS);
const amount = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const currency = z.string().regex(/^[A-Z]{3}$/, 'The given currency does not have the right format');

const initBody = z.object({
  currency,
  refno,
  refno2: z.string().min(1).max(MAX_REFNO_CHARS).optional(),
  // The fake supports payments only: Datatrans allows omitting it for a registration alone.
  amount,
  autoSettle: z.boolean().optional(),
  language: z.enum(LANGUAGES).optional(),
  // A GET redirect only: the fake does not render Datatrans's auto-submitted POST form.
  redirect: z.strictObject({ successUrl: url, cancelUrl: url, errorUrl: url, method: z.literal('GET').optional() }),
  // No dashboard here to configure a webhook URL in: the init must carry one.
  webhook: z.strictObject({ url }),
});
const settleBody = z.strictObject({ amount, currency, refno, refno2: z.string().max(MAX_REFNO_CHARS).optional() });
const creditBody = settleBody;
const outcomeBody = z.strictObject({ outcome: z.enum(['settle', 'fail', 'cancel']) });

/** Datatrans names a refused property by its path, e.g. "init.initRequest.amount …". */
function invalidProperty(operation: string, issues: z.core.$ZodIssue[]) {
  const first = issues[0];
  const path = [`${operation}.${operation}Request`, ...(first?.path ?? []).map(String)].join('.');
  if (first?.code === 'unrecognized_keys') return failure(400, 'UNRECOGNIZED_PROPERTY', `${path}.${first.keys[0]} is not a recognized property`);
  return failure(400, 'INVALID_PROPERTY', `${path} ${first?.message ?? 'is invalid'}`);
}

/** A JSON object, or undefined when the body is not one (then answered INVALID_JSON_PAYLOAD). */
function jsonObject(raw: unknown): Record<string, unknown> | undefined {
  if (!Buffer.isBuffer(raw) || raw.length === 0) return undefined;
  try {
    const v: unknown = JSON.parse(raw.toString('utf8'));
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The payment page's words: the provider's own, in the page's language (French or German, else English). */
const PAGE_TEXTS = {
  fr: {
    title: 'Paiement',
    amount: 'Montant',
    reference: 'Référence',
    pay: 'Payer',
    cancel: 'Annuler',
    closed: 'Cette transaction n’est plus ouverte.',
    test: 'Page de paiement de démonstration : aucune carte n’est débitée.',
  },
  de: {
    title: 'Zahlung',
    amount: 'Betrag',
    reference: 'Referenz',
    pay: 'Bezahlen',
    cancel: 'Abbrechen',
    closed: 'Diese Transaktion ist nicht mehr offen.',
    test: 'Demo-Zahlungsseite: keine Karte wird belastet.',
  },
  en: {
    title: 'Payment',
    amount: 'Amount',
    reference: 'Reference',
    pay: 'Pay',
    cancel: 'Cancel',
    closed: 'This transaction is no longer open.',
    test: 'Demo payment page: no card is charged.',
  },
};

function formatAmount(minor: number, cur: string): string {
  return `${cur} ${Math.floor(minor / 100)}.${String(minor % 100).padStart(2, '0')}`;
}

function paymentPage(t: FakeTransaction, merchantName: string): string {
  const w = t.language === 'fr' || t.language === 'de' ? PAGE_TEXTS[t.language] : PAGE_TEXTS.en;
  const open = t.status === 'initialized' && Date.parse(t.expiresAt) > Date.now();
  const action = `/v1/start/${encodeURIComponent(t.transactionId)}`;
  const body = open
    ? `<form method="post" action="${action}"><input type="hidden" name="action" value="settle"><button type="submit" name="pay">${w.pay} ${escapeHtml(formatAmount(t.amount, t.currency))}</button></form>
    <form method="post" action="${action}"><input type="hidden" name="action" value="cancel"><button type="submit" name="cancel">${w.cancel}</button></form>`
    : `<p role="status">${w.closed}</p>`;
  return `<!doctype html>
<html lang="${escapeHtml(t.language)}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${w.title} – ${escapeHtml(merchantName)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem}dl{display:grid;grid-template-columns:auto 1fr;gap:.25rem 1rem}form{display:inline-block;margin:1rem 1rem 0 0}button{font-size:1rem;padding:.5rem 1rem}</style></head>
<body><main>
<h1>${escapeHtml(merchantName)}</h1>
<dl><dt>${w.amount}</dt><dd data-amount>${escapeHtml(formatAmount(t.amount, t.currency))}</dd><dt>${w.reference}</dt><dd>${escapeHtml(t.refno)}</dd></dl>
${body}
<p><small>${w.test}</small></p>
</main></body></html>`;
}

export interface FakePaymentsConfig {
  credentials: PaymentsCredentials;
  /** Shown on the payment page, as Datatrans shows the merchant's name. */
  merchantName: string;
  webhookRetry: WebhookRetryPolicy;
}

/** The express app alone (no listening): the fake provider driven by `state`. */
export function createFakePaymentsApp(
  state = new FakePaymentsState(),
  { credentials = DEMO_CREDENTIALS, merchantName = 'Guichet virtuel (démo)', webhookRetry = DEFAULT_RETRY }: Partial<FakePaymentsConfig> = {},
): Express {
  const expected = digest(`${credentials.merchantId}:${credentials.password}`);
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');

  // --- webhooks -------------------------------------------------------------------------
  /** Sends the transaction's status now to its webhook URL, retrying with backoff until a 2xx. */
  function sendWebhook(t: FakeTransaction, to: string | undefined): void {
    if (!to) return;
    // The payload is fixed when the event happens; each attempt is signed afresh (its own t).
    const body = JSON.stringify(statusResource(t, credentials.merchantId));
    const delivery: FakeWebhookDelivery = {
      id: randomBytes(8).toString('hex'),
      transactionId: t.transactionId,
      status: t.status,
      url: to,
      state: 'pending',
      attempts: [],
    };
    state.deliveries.push(delivery);
    const attempt = async (n: number): Promise<void> => {
      if (state.closing.signal.aborted) return;
      const entry: FakeWebhookDelivery['attempts'][number] = { at: new Date().toISOString() };
      delivery.attempts.push(entry);
      try {
        const res = await fetch(to, {
          method: 'POST',
          headers: { 'content-type': 'application/json; charset=UTF-8', 'datatrans-signature': datatransSignature(credentials.signKeyHex, body) },
          body,
          redirect: 'manual',
          signal: AbortSignal.any([state.closing.signal, AbortSignal.timeout(webhookRetry.timeoutMs)]),
        });
        entry.httpStatus = res.status;
        await res.body?.cancel();
        if (res.status >= 200 && res.status < 300) {
          delivery.state = 'delivered';
          return;
        }
      } catch (err) {
        const e = err as { name?: string; cause?: { code?: unknown } };
        entry.error = e.name === 'TimeoutError' ? 'timeout' : typeof e.cause?.code === 'string' ? e.cause.code : 'unreachable';
      }
      if (n >= webhookRetry.attempts || state.closing.signal.aborted) {
        delivery.state = 'failed';
        return;
      }
      const timer = setTimeout(
        () => {
          state.timers.delete(timer);
          void attempt(n + 1);
        },
        webhookRetry.initialDelayMs * 2 ** (n - 1),
      );
      state.timers.add(timer);
    };
    void attempt(1);
  }

  // --- what the citizen does on the page (and /_control does for tests) -------------------
  const ip = '127.0.0.1';
  const now = () => new Date().toISOString();

  /** The outcome of the payment page: the status changes, the webhook goes out; the browser's next URL. */
  function complete(t: FakeTransaction, outcome: PaymentOutcome): string {
    const at = now();
    if (outcome === 'settle') {
      t.authorizedAmount = t.amount;
      t.history.push({ action: 'authorize', amount: t.amount, source: 'redirect', date: at, success: true, ip });
      if (t.autoSettle) {
        t.settledAmount = t.amount;
        t.status = 'settled';
        t.history.push({ action: 'settle', amount: t.amount, source: 'redirect', date: at, success: true, ip });
      } else t.status = 'authorized';
    } else if (outcome === 'fail') {
      t.status = 'failed';
      t.fail = { reason: 'DECLINED', message: 'declined' };
      t.history.push({ action: 'authorize', amount: t.amount, source: 'redirect', date: at, success: false, ip });
    } else {
      t.status = 'canceled';
      t.history.push({ action: 'cancel', amount: t.amount, source: 'redirect', date: at, success: true, ip });
    }
    sendWebhook(t, t.webhookUrl);
    const redirect = t.redirect;
    if (!redirect) return '';
    const target = new URL(outcome === 'settle' ? redirect.successUrl : outcome === 'fail' ? redirect.errorUrl : redirect.cancelUrl);
    // Datatrans appends its transaction id to the URL the browser returns to.
    target.searchParams.set('datatransTrxId', t.transactionId);
    return target.toString();
  }

  /** Still payable: initialized and not expired. */
  const payable = (t: FakeTransaction) => t.type === 'payment' && t.status === 'initialized' && Date.parse(t.expiresAt) > Date.now();

  // --- the API ------------------------------------------------------------------------
  type Params = Record<string, string>;
  /** A handler's answer: kept as is for a repeat with the same Idempotency-Key. */
  type Answer = { status: number; body?: unknown; location?: string };
  type Handler = (req: Request<Params>, body: Record<string, unknown> | undefined) => Answer;

  /**
   * Answers after the configured latency: 503 while down, 401 without the credentials, 400
   * INVALID_JSON_PAYLOAD for a body that is not a JSON object. A POST with an Idempotency-Key
   * answers a repeat with the first answer (for 60 minutes), and 422 when the body differs.
   */
  function api(handle: Handler, withBody = false) {
    return (req: Request<Params>, res: Response) => {
      const send = (a: Answer) => {
        if (a.location) res.set('location', a.location);
        if (a.body === undefined) res.status(a.status).end();
        else res.status(a.status).json(a.body);
      };
      const respond = () => {
        if (state.down) return send(failure(503, 'SERVER_ERROR', 'Service unavailable'));
        if (!authorized(req, expected)) {
          res.set('www-authenticate', 'Basic realm="Datatrans API"');
          return send(failure(401, 'UNAUTHORIZED', 'Incorrect authorization header'));
        }
        let body: Record<string, unknown> | undefined;
        if (withBody) {
          body = jsonObject(req.body);
          if (!body) return send(failure(400, 'INVALID_JSON_PAYLOAD', 'The request body is not a JSON object'));
        }
        const key = req.get('idempotency-key');
        if (req.method !== 'POST' || !key) return send(handle(req, body));
        const slot = `${req.path} ${key}`;
        const bodyHash = createHash('sha256')
          .update(Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0))
          .digest('hex');
        const seen = state.idempotent.get(slot);
        if (seen && seen.expires > Date.now()) {
          if (seen.bodyHash !== bodyHash) return send(failure(422, 'CLIENT_ERROR', 'The Idempotency-Key was used with another request body'));
          return send(seen.answer);
        }
        const answer = handle(req, body);
        state.idempotent.set(slot, { bodyHash, answer, expires: Date.now() + IDEMPOTENCY_TTL_MS });
        send(answer);
      };
      state.delayed(res, respond);
    };
  }

  const count = (_req: Request, _res: Response, next: () => void) => {
    state.requests += 1;
    next();
  };
  const rawBody = express.raw({ type: () => true, limit: '64kb' });
  const notFound = () => failure(404, 'TRANSACTION_NOT_FOUND', 'No transaction found with the given transactionId');

  // Datatrans: "Initialize a transaction" (Redirect & Lightbox): 201 { transactionId }.
  app.post(
    '/v1/transactions',
    count,
    rawBody,
    api((req, body) => {
      const unknown = Object.keys(body ?? {}).find((k) => !INIT_PROPERTIES.has(k));
      if (unknown) return failure(400, 'UNRECOGNIZED_PROPERTY', `init.initRequest.${unknown} is not a recognized property`);
      const parsed = initBody.safeParse(body);
      if (!parsed.success) return invalidProperty('init', parsed.error.issues);
      const b = parsed.data;
      // The demo merchant is configured for Swiss francs only.
      if (b.currency !== 'CHF') return failure(400, 'INVALID_PROPERTY', 'init.initRequest.currency The merchant does not accept this currency');
      const created = new Date();
      const t: FakeTransaction = {
        transactionId: newTransactionId(),
        type: 'payment',
        status: 'initialized',
        currency: b.currency,
        refno: b.refno,
        ...(b.refno2 ? { refno2: b.refno2 } : {}),
        amount: b.amount,
        // Absent: the dashboard's setting decides; the demo merchant's settles at once.
        autoSettle: b.autoSettle ?? true,
        language: b.language ?? 'en',
        redirect: { successUrl: b.redirect.successUrl, cancelUrl: b.redirect.cancelUrl, errorUrl: b.redirect.errorUrl },
        webhookUrl: b.webhook.url,
        createdAt: created.toISOString(),
        expiresAt: new Date(created.getTime() + INIT_VALIDITY_MS).toISOString(),
        creditedAmount: 0,
        credits: [],
        history: [{ action: 'init', amount: b.amount, source: 'api', date: created.toISOString(), success: true, ip }],
      };
      state.transactions.set(t.transactionId, t);
      return { status: 201, body: { transactionId: t.transactionId }, location: `${req.protocol}://${req.get('host')}/v1/start/${t.transactionId}` };
    }, true),
  );

  // Datatrans: "Checking the status of a transaction".
  app.get(
    '/v1/transactions/:transactionId',
    count,
    api((req) => {
      const t = state.transactions.get(req.params.transactionId ?? '');
      return t ? { status: 200, body: statusResource(t, credentials.merchantId) } : notFound();
    }),
  );

  // Datatrans: "Settle a transaction" (when autoSettle was false): 204 without a body.
  app.post(
    '/v1/transactions/:transactionId/settle',
    count,
    rawBody,
    api((req, body) => {
      const t = state.transactions.get(req.params.transactionId ?? '');
      if (!t) return notFound();
      const parsed = settleBody.safeParse(body);
      if (!parsed.success) return invalidProperty('settle', parsed.error.issues);
      if (t.type !== 'payment' || t.status !== 'authorized') return failure(400, 'INVALID_TRANSACTION_STATUS', 'The transaction is not authorized');
      if (parsed.data.currency !== t.currency) return failure(400, 'INVALID_PROPERTY', 'settle.settleRequest.currency does not match the transaction');
      // A lower amount is a partial settlement; a higher one than authorized is refused.
      if (parsed.data.amount > (t.authorizedAmount ?? 0)) return failure(400, 'INVALID_PROPERTY', 'settle.settleRequest.amount exceeds the authorized amount');
      t.settledAmount = parsed.data.amount;
      t.status = 'settled';
      t.history.push({ action: 'settle', amount: parsed.data.amount, source: 'api', date: now(), success: true, ip });
      return { status: 204 };
    }, true),
  );

  // Datatrans: "Refund a transaction" (credit): a new transaction, of type credit.
  app.post(
    '/v1/transactions/:transactionId/credit',
    count,
    rawBody,
    api((req, body) => {
      const t = state.transactions.get(req.params.transactionId ?? '');
      if (!t) return notFound();
      const parsed = creditBody.safeParse(body);
      if (!parsed.success) return invalidProperty('credit', parsed.error.issues);
      const b = parsed.data;
      // Only settled money goes back: an authorization is canceled instead, an open one is not paid.
      if (t.type !== 'payment' || (t.status !== 'settled' && t.status !== 'transmitted'))
        return failure(400, 'INVALID_TRANSACTION_STATUS', 'The transaction cannot be credited in its current status');
      if (b.currency !== t.currency) return failure(400, 'INVALID_PROPERTY', 'credit.creditRequest.currency does not match the transaction');
      // "The previously settled amount must not be exceeded" (credits may be partial).
      if (b.amount > (t.settledAmount ?? 0) - t.creditedAmount)
        return failure(400, 'INVALID_PROPERTY', 'credit.creditRequest.amount exceeds the settled amount');
      const at = now();
      const credit: FakeTransaction = {
        transactionId: newTransactionId(),
        type: 'credit',
        status: 'settled',
        currency: t.currency,
        refno: b.refno,
        ...(b.refno2 ? { refno2: b.refno2 } : {}),
        amount: b.amount,
        autoSettle: true,
        language: t.language,
        createdAt: at,
        expiresAt: at,
        settledAmount: b.amount,
        creditedAmount: 0,
        refundOf: t.transactionId,
        credits: [],
        history: [{ action: 'credit', amount: b.amount, source: 'api', date: at, success: true, ip }],
      };
      state.transactions.set(credit.transactionId, credit);
      t.creditedAmount += b.amount;
      t.credits.push(credit.transactionId);
      t.history.push({ action: 'credit', amount: b.amount, source: 'api', date: at, success: true, ip });
      // The credit's own status goes to the payment's webhook URL.
      sendWebhook(credit, t.webhookUrl);
      return { status: 200, body: { transactionId: credit.transactionId, acquirerAuthorizationCode: '100001' } };
    }, true),
  );

  // --- the payment page (Datatrans's pay host; same origin here) -------------------------
  const pageHeaders = (res: Response) =>
    res.set({
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'",
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
    });
  app.get('/v1/start/:transactionId', (req, res) => {
    pageHeaders(res);
    const t = state.transactions.get(req.params.transactionId);
    if (!t || t.type !== 'payment') return void res.status(404).type('html').send('<!doctype html><title>404</title><p>Unknown transaction.</p>');
    res
      .status(payable(t) ? 200 : 409)
      .type('html')
      .send(paymentPage(t, merchantName));
  });
  app.post('/v1/start/:transactionId', express.urlencoded({ extended: false, limit: '4kb' }), (req, res) => {
    pageHeaders(res);
    const t = state.transactions.get(req.params.transactionId);
    const action = (req.body as Record<string, unknown> | undefined)?.action;
    if (!t || t.type !== 'payment') return void res.status(404).type('html').send('<!doctype html><title>404</title><p>Unknown transaction.</p>');
    if ((action !== 'settle' && action !== 'cancel') || !payable(t)) return void res.status(409).type('html').send(paymentPage(t, merchantName));
    const next = complete(t, action);
    res.redirect(303, next);
  });

  // --- control endpoints: outside the API, no credentials, as for the other fakes ---------
  app.use('/_control', express.json());
  app.get('/_control/transactions', (_req, res) => {
    res.json({ transactions: state.list() });
  });
  app.post('/_control/transactions/:transactionId/pay', (req, res) => {
    const body = outcomeBody.safeParse(req.body);
    if (!body.success) return void res.status(400).json({ error: "expected { outcome: 'settle' | 'fail' | 'cancel' }" });
    const t = state.transactions.get(req.params.transactionId);
    if (!t || t.type !== 'payment') return void res.status(404).json({ error: 'no such transaction' });
    if (!payable(t)) return void res.status(409).json({ error: `the transaction is ${t.status}, not open for payment` });
    const redirectUrl = complete(t, body.data.outcome);
    res.json({ transaction: statusResource(t, credentials.merchantId), redirectUrl });
  });
  app.get('/_control/webhooks', (req, res) => {
    res.json({ webhooks: state.webhooks(typeof req.query.transactionId === 'string' ? req.query.transactionId : undefined) });
  });
  controlRoutes(app, state);

  // Unknown paths 404, and errors answered without their content (fakes/http.ts).
  return finishApp(app);
}

export interface FakePaymentsOptions {
  /** 0 (default) lets the OS pick one */
  port?: number;
  host?: string;
  merchantId?: string;
  password?: string;
  /** The webhook HMAC key, hex. */
  signKeyHex?: string;
  merchantName?: string;
  webhookRetry?: Partial<WebhookRetryPolicy>;
}

export interface FakePaymentsProvider {
  /** The API's base and the payment page's, e.g. http://127.0.0.1:4080 (Datatrans: https://api.datatrans.com, https://pay.datatrans.com). */
  url: string;
  credentials: PaymentsCredentials;
  transactions(): FakeTransaction[];
  transaction(transactionId: string): FakeTransaction | undefined;
  /** The webhooks sent, oldest first; only those about `transactionId` when given. */
  webhooks(transactionId?: string): FakeWebhookDelivery[];
  /** Every API call answers 503 while down. */
  setOutage(down: boolean): void;
  /** Delays every API call by `ms`. */
  setLatency(ms: number): void;
  /** API requests received, including those answered 401, 400 or 503. */
  requests(): number;
  close(): Promise<void>;
}

export async function startFakePayments({
  port = 0,
  host = '127.0.0.1',
  merchantId = DEMO_CREDENTIALS.merchantId,
  password = DEMO_CREDENTIALS.password,
  signKeyHex = DEMO_CREDENTIALS.signKeyHex,
  merchantName,
  webhookRetry,
}: FakePaymentsOptions = {}): Promise<FakePaymentsProvider> {
  if (!/^([0-9a-fA-F]{2})+$/.test(signKeyHex)) throw new Error('signKeyHex must be hex');
  const state = new FakePaymentsState();
  const credentials = { merchantId, password, signKeyHex };
  const app = createFakePaymentsApp(state, { credentials, merchantName, webhookRetry: { ...DEFAULT_RETRY, ...webhookRetry } });
  const { url, close } = await listenOn(app, port, host, () => {
    state.closing.abort();
    state.clearTimers();
  });
  return {
    url,
    credentials,
    transactions: () => state.list(),
    transaction: (id) => {
      const t = state.transactions.get(id);
      return t && structuredClone(t);
    },
    webhooks: (id) => state.webhooks(id),
    setOutage: (down) => state.setOutage(down),
    setLatency: (ms) => state.setLatency(ms),
    requests: () => state.requests,
    close,
  };
}
