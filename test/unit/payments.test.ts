// The payment adapter against the fake provider (Datatrans's JSON API v1), over real HTTP on
// loopback: a citizen's fee is opened, paid on the provider's page, and the signed webhook that
// says so reaches a merchant receiver whose raw body the adapter believes — and nothing else:
// a tampered body, another key, a stale signature are refused. Refunds go back only on settled
// money, once. The adapter fails the way Temporal needs when the provider refuses or is down.
import { ApplicationFailure } from '@temporalio/common';
import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  datatransProvider,
  loadPaymentConfig,
  PAYMENT_PROTOCOL_ERROR,
  PAYMENT_REFUSED,
  paymentConfigSchema,
  type PaymentProvider,
  type PaymentRefusal,
} from '../../infra/payments';
import { datatransSignature, DEMO_CREDENTIALS, startFakePayments, type FakePaymentsProvider } from '../../fakes/payments/server';
import { freePort } from '../../scripts/lib/ports';

const FEE = 2000; // CHF 20.00, a residence attestation

/** A merchant's webhook endpoint: keeps each request's raw bytes; answers from a script, then 200. */
class Receiver {
  readonly received: Array<{ headers: Record<string, string | string[] | undefined>; body: Buffer }> = [];
  /** Statuses to answer, in order, before answering 200. */
  script: number[] = [];
  private waiters: Array<{ test: (b: Buffer) => boolean; resolve: (r: Receiver['received'][number]) => void }> = [];
  private server?: Server;
  url = '';

  async start(): Promise<void> {
    const app = express();
    app.post('/payments/webhook', express.raw({ type: () => true }), (req, res) => {
      const entry = { headers: req.headers, body: req.body as Buffer };
      this.received.push(entry);
      const status = this.script.shift() ?? 200;
      res.status(status).end();
      if (status >= 200 && status < 300)
        this.waiters = this.waiters.filter((w) => {
          if (!w.test(entry.body)) return true;
          w.resolve(entry);
          return false;
        });
    });
    await new Promise<void>((resolve) => {
      this.server = app.listen(0, '127.0.0.1', () => resolve());
    });
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/payments/webhook`;
  }

  /** The next webhook accepted (2xx) whose body is about `transactionId` with `status`. */
  next(transactionId: string, status: string): Promise<Receiver['received'][number]> {
    const test = (b: Buffer) => {
      const j = JSON.parse(b.toString('utf8')) as { transactionId?: string; status?: string };
      return j.transactionId === transactionId && j.status === status;
    };
    return new Promise((resolve) => this.waiters.push({ test, resolve }));
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

let fake: FakePaymentsProvider;
let receiver: Receiver;
let payments: PaymentProvider;
const env = (over: Record<string, string> = {}) => ({
  PAYMENT_PROVIDER_URL: fake.url,
  PAYMENT_MERCHANT_ID: DEMO_CREDENTIALS.merchantId,
  PAYMENT_PASSWORD: DEMO_CREDENTIALS.password,
  PAYMENT_SIGN_KEY: DEMO_CREDENTIALS.signKeyHex,
  PAYMENT_TIMEOUT_MS: '2000',
  ...over,
});
const providerWith = (over: Record<string, string> = {}) => datatransProvider(paymentConfigSchema.parse(env(over)));

let seq = 0;
/** A fresh fee payment, opened at the fake. */
async function opened(p: PaymentProvider = payments, amountCents = FEE) {
  seq += 1;
  const refno = `JU2026${String(seq).padStart(6, '0')}`;
  const t = await p.init({
    refno,
    amountCents,
    webhookUrl: receiver.url,
    successUrl: 'https://guichet.example/paiement/ok',
    cancelUrl: 'https://guichet.example/paiement/annule',
    errorUrl: 'https://guichet.example/paiement/erreur',
    language: 'fr',
  });
  return { ...t, refno };
}

/** What the citizen does on the page, through the fake's control endpoint (the same code path). */
async function payAtFake(transactionId: string, outcome: 'settle' | 'fail' | 'cancel') {
  const res = await fetch(`${fake.url}/_control/transactions/${transactionId}/pay`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ outcome }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { redirectUrl: string; transaction: { status: string } };
}

/** Waits for the fake's state (its record of a delivery lands just after the receiver answered). */
async function until<T>(read: () => T | undefined, what: string, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = read();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
const deliveredWebhooks = (transactionId: string) =>
  until(() => {
    const all = fake.webhooks(transactionId);
    return all.length > 0 && all.every((d) => d.state !== 'pending') ? all : undefined;
  }, 'the webhook deliveries to finish');

async function failureOf(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

/** A 4xx: non-retryable, with Datatrans's code in the message and in details. */
function expectRefused(err: Error, httpStatus: number, code: string): PaymentRefusal {
  expect(err).toBeInstanceOf(ApplicationFailure);
  expect(err).toMatchObject({ type: PAYMENT_REFUSED, nonRetryable: true });
  expect(err.message).toContain(`HTTP ${httpStatus}, ${code}`);
  const details = (err as ApplicationFailure).details?.[0] as PaymentRefusal;
  expect(details).toMatchObject({ httpStatus, code });
  return details;
}

/** Temporal retries it: a plain Error, not a (non-retryable) ApplicationFailure. */
function expectRetryable(err: Error, reason: RegExp): void {
  expect(err).not.toBeInstanceOf(ApplicationFailure);
  expect(err.message).toContain('Payment provider');
  expect(err.message).toMatch(reason);
}

beforeAll(async () => {
  fake = await startFakePayments({ port: await freePort() });
  receiver = new Receiver();
  await receiver.start();
  payments = providerWith();
});
afterAll(async () => {
  await fake?.close();
  await receiver?.stop();
});
afterEach(() => {
  fake.setOutage(false);
  fake.setLatency(0);
  receiver.script = [];
});

describe('paying a fee online', () => {
  it('init → the payment page → paid: the signed webhook verifies and says paid, as does the status', async () => {
    const t = await opened();
    expect(t.transactionId).toMatch(/^\d{18}$/);
    expect(t.paymentUrl).toBe(`${fake.url}/v1/start/${t.transactionId}`);
    expect(await payments.status(t.transactionId)).toEqual({
      transactionId: t.transactionId,
      refno: t.refno,
      state: 'pending',
      amountCents: FEE,
      rawStatus: 'initialized',
    });

    // The page a citizen is sent to: real HTML, in French, with the amount and two buttons.
    const page = await fetch(t.paymentUrl);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).toContain('<html lang="fr">');
    expect(html).toContain('CHF 20.00');
    expect(html.match(/<form method="post"/g)).toHaveLength(2);
    expect(html).toMatch(/<button[^>]*>Payer CHF 20\.00<\/button>/);
    expect(html).toMatch(/<button[^>]*>Annuler<\/button>/);

    const webhook = receiver.next(t.transactionId, 'settled');
    const { redirectUrl } = await payAtFake(t.transactionId, 'settle');
    expect(redirectUrl).toBe(`https://guichet.example/paiement/ok?datatransTrxId=${t.transactionId}`);

    const { headers, body } = await webhook;
    expect(headers['datatrans-signature']).toMatch(/^t=\d{13},s0=[0-9a-f]{64}$/);
    expect(payments.verifyWebhook(headers, body)).toEqual({
      transactionId: t.transactionId,
      refno: t.refno,
      state: 'paid',
      amountCents: FEE,
      rawStatus: 'settled',
    });
    expect(await payments.status(t.transactionId)).toMatchObject({ state: 'paid', amountCents: FEE });
    // Delivered at the first attempt; listed by the control endpoint.
    await deliveredWebhooks(t.transactionId);
    const listed = (await (await fetch(`${fake.url}/_control/webhooks?transactionId=${t.transactionId}`)).json()) as { webhooks: unknown[] };
    expect(listed.webhooks).toEqual([
      expect.objectContaining({ status: 'settled', state: 'delivered', attempts: [expect.objectContaining({ httpStatus: 200 })] }),
    ]);
    // A page already paid cannot be paid again.
    expect((await fetch(t.paymentUrl)).status).toBe(409);
    expect(
      (
        await fetch(`${fake.url}/_control/transactions/${t.transactionId}/pay`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"outcome":"settle"}',
        })
      ).status,
    ).toBe(409);
  });

  it("the page's own buttons: pay redirects to the success URL, cancel to the cancel URL; each webhook says so", async () => {
    const paid = await opened();
    const settled = receiver.next(paid.transactionId, 'settled');
    const res = await fetch(paid.paymentUrl, { method: 'POST', body: new URLSearchParams({ action: 'settle' }), redirect: 'manual' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`https://guichet.example/paiement/ok?datatransTrxId=${paid.transactionId}`);
    const w1 = await settled;
    expect(payments.verifyWebhook(w1.headers, w1.body)).toMatchObject({ state: 'paid' });

    const dropped = await opened();
    const canceled = receiver.next(dropped.transactionId, 'canceled');
    const back = await fetch(dropped.paymentUrl, { method: 'POST', body: new URLSearchParams({ action: 'cancel' }), redirect: 'manual' });
    expect(back.headers.get('location')).toBe(`https://guichet.example/paiement/annule?datatransTrxId=${dropped.transactionId}`);
    const w2 = await canceled;
    expect(payments.verifyWebhook(w2.headers, w2.body)).toMatchObject({ transactionId: dropped.transactionId, state: 'canceled', rawStatus: 'canceled' });
  });

  it('a declined card: failed, redirected to the error URL', async () => {
    const t = await opened();
    const failed = receiver.next(t.transactionId, 'failed');
    const { redirectUrl } = await payAtFake(t.transactionId, 'fail');
    expect(redirectUrl).toContain('/paiement/erreur?datatransTrxId=');
    const w = await failed;
    expect(payments.verifyWebhook(w.headers, w.body)).toMatchObject({ state: 'failed', amountCents: FEE });
    expect(await payments.status(t.transactionId)).toMatchObject({ state: 'failed', rawStatus: 'failed' });
  });

  it('a webhook the receiver first answers 500 (then 503) is retried until delivered', async () => {
    const t = await opened();
    receiver.script = [500, 503];
    const delivered = receiver.next(t.transactionId, 'settled');
    await payAtFake(t.transactionId, 'settle');
    const w = await delivered;
    expect(payments.verifyWebhook(w.headers, w.body)).toMatchObject({ state: 'paid' });
    const [delivery] = await deliveredWebhooks(t.transactionId);
    expect(delivery).toMatchObject({ state: 'delivered' });
    expect(delivery!.attempts.map((a) => a.httpStatus)).toEqual([500, 503, 200]);
    // Backoff: at least 200 ms, then 400 ms, between the attempts.
    const at = delivery!.attempts.map((a) => Date.parse(a.at));
    expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(190);
    expect(at[2]! - at[1]!).toBeGreaterThanOrEqual(390);
  });

  it('a receiver that never answers 2xx: 5 attempts, then the delivery is given up (the status API still tells)', async () => {
    const t = await opened();
    receiver.script = [500, 500, 500, 500, 500];
    await payAtFake(t.transactionId, 'settle');
    const [delivery] = await until(
      () => {
        const all = fake.webhooks(t.transactionId);
        return all[0]?.state === 'failed' ? all : undefined;
      },
      'the delivery to be given up',
      10_000,
    );
    expect(delivery!.attempts.map((a) => a.httpStatus)).toEqual([500, 500, 500, 500, 500]);
    expect(await payments.status(t.transactionId)).toMatchObject({ state: 'paid' });
  });

  it('autoSettle false: authorized is not paid yet (pending) until settled', async () => {
    const auth = `Basic ${Buffer.from(`${DEMO_CREDENTIALS.merchantId}:${DEMO_CREDENTIALS.password}`).toString('base64')}`;
    const post = (path: string, body: unknown) =>
      fetch(`${fake.url}${path}`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const init = await post('/v1/transactions', {
      currency: 'CHF',
      refno: 'JU2026DEFERRED',
      amount: FEE,
      autoSettle: false,
      redirect: { successUrl: 'https://a.example/ok', cancelUrl: 'https://a.example/c', errorUrl: 'https://a.example/e' },
      webhook: { url: receiver.url },
    });
    expect(init.status).toBe(201);
    const { transactionId } = (await init.json()) as { transactionId: string };
    expect(init.headers.get('location')).toBe(`${fake.url}/v1/start/${transactionId}`);
    await payAtFake(transactionId, 'settle');
    expect(await payments.status(transactionId)).toMatchObject({ state: 'pending', rawStatus: 'authorized', amountCents: FEE });
    expect((await post(`/v1/transactions/${transactionId}/settle`, { amount: FEE + 1, currency: 'CHF', refno: 'JU2026DEFERRED' })).status).toBe(400);
    const settle = await post(`/v1/transactions/${transactionId}/settle`, { amount: FEE, currency: 'CHF', refno: 'JU2026DEFERRED' });
    expect(settle.status).toBe(204);
    expect(await payments.status(transactionId)).toMatchObject({ state: 'paid', rawStatus: 'settled' });
  });
});

describe('what the provider refuses', () => {
  it('wrong credentials: 401 UNAUTHORIZED, non-retryable', async () => {
    const raw = await fetch(`${fake.url}/v1/transactions`, { method: 'POST', body: '{}' });
    expect(raw.status).toBe(401);
    expect(await raw.json()).toEqual({ error: { code: 'UNAUTHORIZED', message: expect.any(String) } });

    const wrong = providerWith({ PAYMENT_PASSWORD: 'not-the-password' });
    expectRefused(await failureOf(opened(wrong)), 401, 'UNAUTHORIZED');
    expectRefused(await failureOf(wrong.status('123456789012345678')), 401, 'UNAUTHORIZED');
  });

  it.each([
    ['zero', 0],
    ['a fraction of a centime', 2000.5],
    ['negative', -2000],
  ])('an amount that is %s: 400 INVALID_PROPERTY naming init.initRequest.amount', async (_what, amountCents) => {
    const err = await failureOf(opened(payments, amountCents));
    expect(expectRefused(err, 400, 'INVALID_PROPERTY').property).toBe('init.initRequest.amount');
    expect(err.message).not.toContain('JU2026'); // no refno in errors
  });

  it('the body as Datatrans checks it: currency, refno length, URLs, unknown properties, JSON', async () => {
    const post = (body: unknown) =>
      fetch(`${fake.url}/v1/transactions`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${DEMO_CREDENTIALS.merchantId}:${DEMO_CREDENTIALS.password}`).toString('base64')}`,
          'content-type': 'application/json',
        },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
    const good = {
      currency: 'CHF',
      refno: 'JU2026000999',
      amount: FEE,
      redirect: { successUrl: 'https://a.example/ok', cancelUrl: 'https://a.example/c', errorUrl: 'https://a.example/e' },
      webhook: { url: receiver.url },
    };
    const codeOf = async (body: unknown) => {
      const res = await post(body);
      return { status: res.status, ...((await res.json()) as { error?: { code: string; message: string } }).error };
    };
    expect((await post(good)).status).toBe(201);
    expect(await codeOf({ ...good, currency: 'EUR' })).toMatchObject({
      status: 400,
      code: 'INVALID_PROPERTY',
      message: expect.stringMatching(/^init\.initRequest\.currency /),
    });
    expect(await codeOf({ ...good, currency: 'chf' })).toMatchObject({ status: 400, code: 'INVALID_PROPERTY' });
    expect(await codeOf({ ...good, refno: 'x'.repeat(41) })).toMatchObject({
      status: 400,
      code: 'INVALID_PROPERTY',
      message: expect.stringMatching(/^init\.initRequest\.refno /),
    });
    expect((await post({ ...good, refno: 'x'.repeat(40) })).status).toBe(201); // Datatrans: up to 40 characters
    expect(await codeOf({ ...good, refno: '' })).toMatchObject({ code: 'INVALID_PROPERTY' });
    expect(await codeOf({ ...good, webhook: { url: 'not a url' } })).toMatchObject({
      code: 'INVALID_PROPERTY',
      message: expect.stringMatching(/^init\.initRequest\.webhook\.url /),
    });
    expect(await codeOf({ ...good, redirect: { ...good.redirect, successUrl: 'javascript:alert(1)' } })).toMatchObject({ code: 'INVALID_PROPERTY' });
    expect(await codeOf({ ...good, amountt: 1 })).toMatchObject({ code: 'UNRECOGNIZED_PROPERTY' });
    expect(await codeOf('{"currency":')).toMatchObject({ status: 400, code: 'INVALID_JSON_PAYLOAD' });
  });

  it('an unknown transaction: 404 TRANSACTION_NOT_FOUND', async () => {
    expectRefused(await failureOf(payments.status('999999999999999999')), 404, 'TRANSACTION_NOT_FOUND');
  });
});

describe('webhooks the adapter does not believe', () => {
  let genuine: { headers: Record<string, string | string[] | undefined>; body: Buffer };
  beforeAll(async () => {
    const t = await opened();
    const w = receiver.next(t.transactionId, 'settled');
    await payAtFake(t.transactionId, 'settle');
    genuine = await w;
    expect(payments.verifyWebhook(genuine.headers, genuine.body)).toMatchObject({ state: 'paid' });
  });

  it('a tampered body (another amount, one byte changed, re-serialised JSON) → null', () => {
    const text = genuine.body.toString('utf8');
    expect(payments.verifyWebhook(genuine.headers, text.replace(`"amount":${FEE}`, '"amount":1'))).toBeNull();
    expect(payments.verifyWebhook(genuine.headers, text.replace('"settled"', '"settlee"'))).toBeNull();
    expect(payments.verifyWebhook(genuine.headers, JSON.stringify(JSON.parse(text), null, 1))).toBeNull();
    // The raw bytes, as a string: still believed.
    expect(payments.verifyWebhook(genuine.headers, text)).not.toBeNull();
  });

  it('signed with another key, or not signed, or a malformed header → null', () => {
    const other = providerWith({ PAYMENT_SIGN_KEY: 'ff'.repeat(32) });
    expect(other.verifyWebhook(genuine.headers, genuine.body)).toBeNull();
    const forged = datatransSignature('ff'.repeat(32), genuine.body);
    expect(payments.verifyWebhook({ 'Datatrans-Signature': forged }, genuine.body)).toBeNull();
    expect(payments.verifyWebhook({}, genuine.body)).toBeNull();
    expect(payments.verifyWebhook({ 'datatrans-signature': 'garbage' }, genuine.body)).toBeNull();
    const sig = genuine.headers['datatrans-signature'] as string;
    expect(payments.verifyWebhook({ 'datatrans-signature': [sig, sig] }, genuine.body)).toBeNull();
    // Header names are case-insensitive: a correct signature under another spelling still holds.
    expect(payments.verifyWebhook({ 'Datatrans-Signature': sig }, genuine.body)).toMatchObject({ state: 'paid' });
  });

  it('a correct signature older than 5 minutes (a replay) or from the future → null', () => {
    const key = DEMO_CREDENTIALS.signKeyHex;
    const sixMinutesAgo = Date.now() - 6 * 60_000;
    expect(payments.verifyWebhook({ 'datatrans-signature': datatransSignature(key, genuine.body, sixMinutesAgo) }, genuine.body)).toBeNull();
    expect(payments.verifyWebhook({ 'datatrans-signature': datatransSignature(key, genuine.body, Date.now() + 6 * 60_000) }, genuine.body)).toBeNull();
    const fourMinutesAgo = Date.now() - 4 * 60_000;
    expect(payments.verifyWebhook({ 'datatrans-signature': datatransSignature(key, genuine.body, fourMinutesAgo) }, genuine.body)).toMatchObject({
      state: 'paid',
    });
  });
});

describe('refunds', () => {
  it('a paid fee refunded in full: a credit transaction, the payment then reads refunded, the webhook says so', async () => {
    const t = await opened();
    const paid = receiver.next(t.transactionId, 'settled');
    await payAtFake(t.transactionId, 'settle');
    await paid;

    const { creditId } = await payments.refund({ transactionId: t.transactionId, amountCents: FEE, refno: t.refno });
    expect(creditId).toMatch(/^\d{18}$/);
    expect(creditId).not.toBe(t.transactionId);
    const credited = await receiver.next(creditId, 'settled');
    expect(payments.verifyWebhook(credited.headers, credited.body)).toEqual({
      transactionId: creditId,
      refno: t.refno,
      state: 'refunded',
      amountCents: FEE,
      rawStatus: 'settled',
    });
    expect(await payments.status(t.transactionId)).toMatchObject({ state: 'refunded', amountCents: FEE, rawStatus: 'settled' });
    expect(await payments.status(creditId)).toMatchObject({ state: 'refunded', amountCents: FEE });
  });

  it('a retried refund (same arguments) credits once; a second, different one over the settled amount is refused', async () => {
    const t = await opened();
    await payAtFake(t.transactionId, 'settle');
    const first = await payments.refund({ transactionId: t.transactionId, amountCents: 500, refno: `${t.refno}R1` });
    const again = await payments.refund({ transactionId: t.transactionId, amountCents: 500, refno: `${t.refno}R1` });
    expect(again.creditId).toBe(first.creditId);
    expect(fake.transaction(t.transactionId)).toMatchObject({ creditedAmount: 500, credits: [first.creditId] });
    // Partly refunded: still paid.
    expect(await payments.status(t.transactionId)).toMatchObject({ state: 'paid', amountCents: FEE });

    const over = await failureOf(payments.refund({ transactionId: t.transactionId, amountCents: 1501, refno: `${t.refno}R2` }));
    expect(expectRefused(over, 400, 'INVALID_PROPERTY').property).toBe('credit.creditRequest.amount');
    await payments.refund({ transactionId: t.transactionId, amountCents: 1500, refno: `${t.refno}R2` });
    expect(await payments.status(t.transactionId)).toMatchObject({ state: 'refunded', amountCents: FEE });
  });

  it('a fee not paid (open, canceled) cannot be refunded: 400 INVALID_TRANSACTION_STATUS', async () => {
    const open = await opened();
    expectRefused(
      await failureOf(payments.refund({ transactionId: open.transactionId, amountCents: FEE, refno: open.refno })),
      400,
      'INVALID_TRANSACTION_STATUS',
    );
    await payAtFake(open.transactionId, 'cancel');
    expectRefused(
      await failureOf(payments.refund({ transactionId: open.transactionId, amountCents: FEE, refno: open.refno })),
      400,
      'INVALID_TRANSACTION_STATUS',
    );
    expect(fake.transaction(open.transactionId)).toMatchObject({ creditedAmount: 0, credits: [] });
  });
});

describe('outages', () => {
  it('a provider down (503): a retryable error; it works again once back', async () => {
    fake.setOutage(true);
    expectRetryable(await failureOf(opened()), /HTTP 503 \(provider unavailable\), SERVER_ERROR/);
    fake.setOutage(false);
    await expect(opened()).resolves.toHaveProperty('transactionId');
  });

  it('a provider slower than the timeout, or unreachable: retryable', async () => {
    const impatient = providerWith({ PAYMENT_TIMEOUT_MS: '100' });
    fake.setLatency(1000);
    expectRetryable(await failureOf(opened(impatient)), /no answer within 100 ms/);
    fake.setLatency(0);
    const gone = providerWith({ PAYMENT_PROVIDER_URL: `http://127.0.0.1:${await freePort()}` });
    expectRetryable(await failureOf(gone.status('123456789012345678')), /unreachable/);
  });

  it('an answer that is not Datatrans: a non-retryable protocol error', async () => {
    const odd = datatransProvider(paymentConfigSchema.parse(env()), (async () => new Response('<html>oops</html>', { status: 201 })) as typeof fetch);
    expect(await failureOf(opened(odd))).toMatchObject({ type: PAYMENT_PROTOCOL_ERROR, nonRetryable: true, message: expect.stringMatching(/not JSON/) });
  });
});

describe('settings', () => {
  it('a bad setting is named, never its value; the page host defaults to the API', () => {
    expect(() => loadPaymentConfig({ ...env(), PAYMENT_SIGN_KEY: 'secret-not-hex', PAYMENT_MERCHANT_ID: '12' })).toThrow(
      /PAYMENT_SIGN_KEY.*|PAYMENT_MERCHANT_ID/,
    );
    try {
      loadPaymentConfig({ ...env(), PAYMENT_SIGN_KEY: 'secret-not-hex', PAYMENT_PASSWORD: '' });
    } catch (err) {
      expect((err as Error).message).toMatch(/PAYMENT_SIGN_KEY/);
      expect((err as Error).message).toMatch(/PAYMENT_PASSWORD/);
      expect((err as Error).message).not.toContain('secret-not-hex');
    }
    const c = loadPaymentConfig({ ...env(), PAYMENT_PROVIDER_URL: 'https://api.sandbox.datatrans.com/', PAYMENT_PAGE_URL: '' });
    expect(c).toMatchObject({ apiUrl: 'https://api.sandbox.datatrans.com', pageUrl: 'https://api.sandbox.datatrans.com', timeoutMs: 2000 });
    expect(loadPaymentConfig({ ...env(), PAYMENT_PAGE_URL: 'https://pay.sandbox.datatrans.com' }).pageUrl).toBe('https://pay.sandbox.datatrans.com');
  });
});
