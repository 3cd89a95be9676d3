// HTTP adapter for the online payment provider through which a citizen pays a service's fee
// before the unit handles the submission (the other way being the QR-bill, infra/qr-bill.ts). It
// speaks Datatrans's JSON API v1: `POST /v1/transactions` opens a transaction and the citizen pays
// on `<pay host>/v1/start/{transactionId}`; `GET /v1/transactions/{id}` reads its status;
// `POST /v1/transactions/{id}/credit` refunds it; the outcome comes as a webhook signed with
// `Datatrans-Signature: t=<unix ms>,s0=<hex HMAC-SHA256>`. fakes/payments/ speaks the same, and its
// README says which parts we follow.
//
// The way a call fails decides what Temporal does with the activity that made it, as in
// infra/sms.ts: a thrown plain Error is retried (a provider down, slow, or rate-limiting), an
// ApplicationFailure.nonRetryable stops retrying (a request the provider refuses — its 4xx, with
// Datatrans's error code in the message and in `details` — or an answer we cannot read). A
// payment is personal data (who paid for what): no message of this module carries a refno, an
// amount or the provider's own error text, only HTTP statuses, Datatrans's error codes and the
// name of the property it refused.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';

/** Our view of a transaction at the provider. */
export type PaymentState = 'pending' | 'paid' | 'failed' | 'canceled' | 'refunded';

export interface PaymentStatus {
  /** The provider's transaction id (a refund's own id for a credit). */
  transactionId: string;
  /** Our reference, as given at init (or at refund, for a credit). */
  refno: string;
  state: PaymentState;
  /** Settled (paid) or credited (refunded) amount; the amount asked for while pending. */
  amountCents: number;
  /** Datatrans's own status word (initialized, settled, transmitted, canceled, failed, …). */
  rawStatus: string;
}

export interface PaymentProvider {
  /** Opens a transaction; the citizen pays on `paymentUrl`, and the outcome comes to `webhookUrl`. */
  init(p: {
    refno: string;
    amountCents: number;
    webhookUrl: string;
    successUrl: string;
    cancelUrl: string;
    errorUrl: string;
    language?: 'fr' | 'de';
  }): Promise<{ transactionId: string; paymentUrl: string }>;
  status(transactionId: string): Promise<PaymentStatus>;
  /** Gives back (part of) a settled payment; asking again with the same arguments refunds once. */
  refund(p: { transactionId: string; amountCents: number; refno: string }): Promise<{ creditId: string }>;
  /**
   * The status a webhook carries, when its body is signed by our provider within the last 5
   * minutes; null otherwise (no or a wrong signature, a stale or future timestamp, a body that is
   * not a Datatrans transaction). `rawBody`: the bytes as received, before any JSON parsing.
   */
  verifyWebhook(headers: Record<string, string | string[] | undefined>, rawBody: Buffer | string): PaymentStatus | null;
}

/** ApplicationFailure types: the provider refused the request (its 4xx); its answer was unreadable. */
export const PAYMENT_REFUSED = 'PaymentRefused';
export const PAYMENT_PROTOCOL_ERROR = 'PaymentProtocolError';

/** What `details[0]` of a PAYMENT_REFUSED failure holds. */
export interface PaymentRefusal {
  httpStatus: number;
  /** Datatrans's error code: UNAUTHORIZED, INVALID_PROPERTY, INVALID_TRANSACTION_STATUS, TRANSACTION_NOT_FOUND, … */
  code: string | null;
  /** The property it refused, from its message (e.g. "init.initRequest.amount"). */
  property: string | null;
}

/** A signature older (or further in the future) than this is refused: a replayed webhook. */
export const WEBHOOK_TOLERANCE_MS = 5 * 60_000;

const LABEL = 'Payment provider';
const empty = (v: unknown) => (v === '' ? undefined : v);

/**
 * The adapter's settings, from the environment: checked once at start; a bad value stops the
 * process with a message naming the variable (never its value: a password and a key are among them).
 */
export const paymentConfigSchema = z
  .object({
    /** The API's base: https://api.datatrans.com (https://api.sandbox.datatrans.com to test), or the fake. */
    PAYMENT_PROVIDER_URL: z.url({ protocol: /^https?$/ }),
    /** The payment page's base when it is another host (Datatrans: https://pay.datatrans.com); default the API's. */
    PAYMENT_PAGE_URL: z.preprocess(empty, z.url({ protocol: /^https?$/ }).optional()),
    /** Datatrans's merchantId: 10 digits, the Basic user. */
    PAYMENT_MERCHANT_ID: z.string().regex(/^\d{10}$/, 'must be the 10-digit merchantId'),
    /** The Basic password ("server to server" security in the dashboard). */
    PAYMENT_PASSWORD: z.string().min(1),
    /** The HMAC key that signs the webhooks, hex, as the dashboard shows it. */
    PAYMENT_SIGN_KEY: z.string().regex(/^([0-9a-fA-F]{2}){16,}$/, 'must be the hex HMAC key (at least 16 bytes)'),
    /** Per call, connection and body included. */
    PAYMENT_TIMEOUT_MS: z.preprocess(empty, z.coerce.number().int().min(100).max(60_000).default(10_000)),
  })
  .transform((c) => ({
    apiUrl: c.PAYMENT_PROVIDER_URL.replace(/\/+$/, ''),
    pageUrl: (c.PAYMENT_PAGE_URL ?? c.PAYMENT_PROVIDER_URL).replace(/\/+$/, ''),
    merchantId: c.PAYMENT_MERCHANT_ID,
    password: c.PAYMENT_PASSWORD,
    signKey: Buffer.from(c.PAYMENT_SIGN_KEY, 'hex'),
    timeoutMs: c.PAYMENT_TIMEOUT_MS,
  }));

export type PaymentConfig = z.output<typeof paymentConfigSchema>;

/** From the environment; throws naming the variables that are wrong, never their values. */
export function loadPaymentConfig(env: NodeJS.ProcessEnv = process.env): PaymentConfig {
  const parsed = paymentConfigSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(payment settings)'}: ${i.message}`);
    throw new Error(`invalid payment provider settings: ${[...new Set(problems)].join('; ')}`);
  }
  return parsed.data;
}

// --- Datatrans's answers: the fields we use; the many others are ignored -----------------------
const amountField = z.object({ amount: z.number().int().nonnegative() }).partial();
const transactionBody = z.object({
  transactionId: z.string().min(1),
  type: z.string().optional(),
  status: z.string().min(1),
  currency: z.string().optional(),
  refno: z.string(),
  detail: z.object({ authorize: amountField.optional(), settle: amountField.optional(), credit: amountField.optional() }).partial().optional(),
  history: z.array(z.object({ action: z.string(), amount: z.number().int().nonnegative().optional(), success: z.boolean().optional() })).optional(),
});
type DatatransTransaction = z.infer<typeof transactionBody>;
const initAnswer = z.object({ transactionId: z.string().regex(/^[A-Za-z0-9]{1,64}$/) });
const creditAnswer = z.object({ transactionId: z.string().regex(/^[A-Za-z0-9]{1,64}$/) });
/** Datatrans's error body: its code is safe to report, its message is not (beyond the property it names). */
const errorBody = z.object({ error: z.object({ code: z.string().regex(/^[A-Z0-9_]{1,64}$/), message: z.string().optional() }) });

/**
 * Datatrans's status → ours. Open states are pending; `authorized` too, as we ask Datatrans to
 * settle at once (autoSettle): an authorization alone is money reserved, not received. A status
 * Datatrans adds later is no final state we know of: pending, its word kept in `rawStatus`.
 */
function stateOf(t: DatatransTransaction): { state: PaymentState; amountCents: number } {
  const settled = t.detail?.settle?.amount ?? t.detail?.credit?.amount;
  const asked = t.detail?.authorize?.amount ?? t.history?.find((h) => h.action === 'init')?.amount;
  const amountOr = (...xs: Array<number | undefined>) => {
    const a = xs.find((x) => x !== undefined);
    if (a === undefined) throw protocolError('the transaction carries no amount');
    return a;
  };
  switch (t.status) {
    case 'settled':
    case 'transmitted': {
      // A credit (a refund) is its own transaction, settled when the money goes back.
      if (t.type === 'credit') return { state: 'refunded', amountCents: amountOr(settled, asked) };
      // Datatrans keeps a payment settled after a credit; its history lists the credits.
      const paid = amountOr(settled, asked);
      const credited = (t.history ?? []).filter((h) => h.action === 'credit' && h.success !== false).reduce((sum, h) => sum + (h.amount ?? 0), 0);
      return credited > 0 && credited >= paid ? { state: 'refunded', amountCents: credited } : { state: 'paid', amountCents: paid };
    }
    case 'canceled':
      return { state: 'canceled', amountCents: amountOr(asked, settled, 0) };
    case 'failed':
      return { state: 'failed', amountCents: amountOr(asked, settled, 0) };
    default:
      return { state: 'pending', amountCents: amountOr(asked, settled) };
  }
}

function toStatus(t: DatatransTransaction): PaymentStatus {
  return { transactionId: t.transactionId, refno: t.refno, ...stateOf(t), rawStatus: t.status };
}

function protocolError(what: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(`${LABEL}: ${what}`, PAYMENT_PROTOCOL_ERROR);
}

/** Why a fetch failed, without the request. As in infra/sms.ts. */
function transportReason(err: unknown, timeoutMs: number): string {
  // Duck-typed: fetch's errors (DOMException, TypeError) may come from another realm (jest).
  const e = (typeof err === 'object' && err !== null ? err : {}) as { name?: unknown; cause?: { code?: unknown } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  return typeof e.cause?.code === 'string' ? `unreachable (${e.cause.code})` : 'unreachable';
}

/** Datatrans's code and the property its message names ("init.initRequest.amount …"), if the body is its error shape. */
function refusalOf(status: number, text: string): PaymentRefusal {
  try {
    const parsed = errorBody.safeParse(JSON.parse(text));
    if (!parsed.success) return { httpStatus: status, code: null, property: null };
    const property = /^([A-Za-z]+\.[A-Za-z]+Request(?:\.[A-Za-z0-9_]+)*)\b/.exec(parsed.data.error.message ?? '')?.[1] ?? null;
    return { httpStatus: status, code: parsed.data.error.code, property };
  } catch {
    return { httpStatus: status, code: null, property: null };
  }
}

/** The header's single value (a repeated header is not believed). */
function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() !== name) continue;
    if (typeof v === 'string') return v;
    if (Array.isArray(v) && v.length === 1) return v[0];
    return undefined;
  }
  return undefined;
}

export function datatransProvider(config: PaymentConfig, fetchImpl: typeof fetch = fetch): PaymentProvider {
  const authorization = `Basic ${Buffer.from(`${config.merchantId}:${config.password}`, 'utf8').toString('base64')}`;

  /** One call; the parsed JSON of a 2xx answer, or the error Temporal needs. */
  async function call(what: string, method: 'GET' | 'POST', path: string, body?: unknown, idempotencyKey?: string): Promise<unknown> {
    let res: Response;
    try {
      res = await fetchImpl(`${config.apiUrl}${path}`, {
        method,
        headers: {
          authorization,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json; charset=UTF-8' }),
          ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(config.timeoutMs),
        redirect: 'error',
      });
    } catch (err) {
      throw new Error(`${LABEL}: ${what}: ${transportReason(err, config.timeoutMs)}`);
    }
    let text: string;
    try {
      text = await res.text();
    } catch (err) {
      throw new Error(`${LABEL}: ${what}: ${transportReason(err, config.timeoutMs)} (while reading the answer)`);
    }
    // 408 (timeout), 409 (Datatrans: the same Idempotency-Key still in progress), 429 (rate
    // limit) and 5xx: asking again later may work.
    if (res.status === 408 || res.status === 409 || res.status === 429 || res.status >= 500) {
      const r = refusalOf(res.status, text);
      throw new Error(`${LABEL}: ${what}: HTTP ${res.status}${res.status >= 500 ? ' (provider unavailable)' : ''}${r.code ? `, ${r.code}` : ''}`);
    }
    if (res.status >= 400) {
      // Credentials, a property, a transaction's status the provider refuses: asking again
      // sends the same. Its code says which; an operator or the caller fixes it.
      const r = refusalOf(res.status, text);
      throw ApplicationFailure.create({
        message: `${LABEL}: ${what} refused (HTTP ${res.status}${r.code ? `, ${r.code}` : ''}${r.property ? `, ${r.property}` : ''})`,
        type: PAYMENT_REFUSED,
        nonRetryable: true,
        details: [r],
      });
    }
    if (!res.ok) throw protocolError(`${what}: unexpected HTTP ${res.status}`);
    if (text === '') return undefined;
    try {
      return JSON.parse(text);
    } catch {
      throw protocolError(`${what}: the answer is not JSON`);
    }
  }

  function parse<T>(schema: z.ZodType<T>, json: unknown, what: string): T {
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const fields = [...new Set(parsed.error.issues.map((i) => i.path.join('.') || '(body)'))].join(', ');
      throw protocolError(`${what}: invalid answer (${fields})`);
    }
    return parsed.data;
  }

  const idPath = (id: string) => {
    // The id goes into a path: nothing but what Datatrans's ids are made of.
    if (!/^[A-Za-z0-9]{1,64}$/.test(id)) throw protocolError('not a transaction id');
    return `/v1/transactions/${id}`;
  };

  return {
    async init(p) {
      // No Idempotency-Key: a repeated init only opens a second transaction that nobody pays and
      // that expires, while a key would give a retried payment (same refno) the first, maybe canceled, one.
      const json = await call('opening a payment', 'POST', '/v1/transactions', {
        currency: 'CHF',
        refno: p.refno,
        amount: p.amountCents,
        // The fee must be received before the unit works: no reservation left to settle by hand.
        autoSettle: true,
        ...(p.language ? { language: p.language } : {}),
        redirect: { successUrl: p.successUrl, cancelUrl: p.cancelUrl, errorUrl: p.errorUrl },
        webhook: { url: p.webhookUrl },
      });
      const { transactionId } = parse(initAnswer, json, 'opening a payment');
      return { transactionId, paymentUrl: `${config.pageUrl}/v1/start/${transactionId}` };
    },

    async status(transactionId) {
      const t = parse(transactionBody, await call('reading a payment', 'GET', idPath(transactionId)), 'reading a payment');
      if (t.transactionId !== transactionId) throw protocolError('reading a payment: the answer is about another transaction');
      return toStatus(t);
    },

    async refund({ transactionId, amountCents, refno }) {
      // Temporal retries an activity whose answer was lost: the same refund must not credit twice.
      // Datatrans replays the first answer to a request with the same Idempotency-Key (60 minutes).
      const key = createHash('sha256').update(`credit\n${transactionId}\n${refno}\n${amountCents}`).digest('hex');
      const json = await call('refunding a payment', 'POST', `${idPath(transactionId)}/credit`, { amount: amountCents, currency: 'CHF', refno }, key);
      return { creditId: parse(creditAnswer, json, 'refunding a payment').transactionId };
    },

    verifyWebhook(headers, rawBody) {
      const signature = header(headers, 'datatrans-signature');
      const m = signature && /^t=(\d{1,16}),\s*s0=([0-9a-fA-F]{64})$/.exec(signature.trim());
      if (!m?.[1] || !m[2]) return null;
      const t = Number(m[1]);
      if (!Number.isSafeInteger(t) || Math.abs(Date.now() - t) > WEBHOOK_TOLERANCE_MS) return null;
      const bytes = typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody;
      // Datatrans: HMAC-SHA256 with the hex-decoded key over the timestamp's digits, then the body's bytes.
      const expected = createHmac('sha256', config.signKey).update(m[1]).update(bytes).digest();
      // Both 32 bytes (the pattern above): compared in constant time.
      if (!timingSafeEqual(expected, Buffer.from(m[2], 'hex'))) return null;
      let json: unknown;
      try {
        json = JSON.parse(bytes.toString('utf8'));
      } catch {
        return null;
      }
      const parsed = transactionBody.safeParse(json);
      if (!parsed.success) return null;
      try {
        return toStatus(parsed.data);
      } catch {
        return null;
      }
    },
  };
}
