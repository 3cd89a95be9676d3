// The SMS adapter against the fake SMS provider (Twilio's Messages API), over real HTTP on
// loopback: the codes of NE 4.1 (sign-in) and 4.5 (transactions) reach the number they are sent
// to, and the adapter fails the way Temporal needs when the provider refuses the message or the
// credentials, is down or slow. Neither the number nor the text appears in its errors.
import { ApplicationFailure } from '@temporalio/common';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHttpSmsGateway, SMS_PROTOCOL_ERROR, type SmsGateway } from '../../infra/sms';
import { DEMO_CREDENTIALS, DEMO_SENDER, segmentsOf, startFakeSms, type FakeSmsGateway } from '../../fakes/sms/server';
import { freePort } from '../../scripts/lib/ports';

const MOBILE = '+41791234567';
const OTHER_MOBILE = '+41765550101';
const CODE_TEXT = 'Votre code de connexion : 482913. Il est valable 10 minutes.';
const SECRET = /482913|connexion|\+?41\d{9}|79123/;

let fake: FakeSmsGateway;
let sms: SmsGateway;
const config = () => ({ url: fake.url, user: DEMO_CREDENTIALS.user, password: DEMO_CREDENTIALS.password, sender: DEMO_SENDER, timeoutMs: 2000 });

beforeAll(async () => {
  fake = await startFakeSms({ port: await freePort() });
  sms = createHttpSmsGateway(config());
});
afterAll(async () => {
  await fake?.close();
});
afterEach(() => {
  fake.setOutage(false);
  fake.setLatency(0);
});

/** The error a promise rejects with. */
async function failureOf(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

/** Temporal retries it: a plain Error, not a (non-retryable) ApplicationFailure. */
function expectRetryable(err: Error, reason: RegExp): void {
  expect(err).not.toBeInstanceOf(ApplicationFailure);
  expect(err.message).toContain('SMS gateway');
  expect(err.message).toMatch(reason);
  expect(err.message).not.toMatch(SECRET);
}

function expectProtocolError(err: Error, reason: RegExp): void {
  expect(err).toBeInstanceOf(ApplicationFailure);
  expect(err).toMatchObject({ nonRetryable: true, type: SMS_PROTOCOL_ERROR });
  expect(err.message).toMatch(reason);
  expect(err.message).not.toMatch(SECRET);
}

describe('sending', () => {
  it('a sign-in code reaches the number: listed by the fake, its code readable for tests', async () => {
    const { messageId } = await sms.send(MOBILE, CODE_TEXT);
    expect(messageId).toMatch(/^SM[0-9a-f]{32}$/);
    expect(fake.messages(MOBILE)).toEqual([expect.objectContaining({ sid: messageId, to: MOBILE, from: DEMO_SENDER, body: CODE_TEXT, numSegments: 1 })]);
    expect(fake.lastCodeTo(MOBILE)).toBe('482913');
    expect(fake.lastCodeTo(OTHER_MOBILE)).toBeUndefined();
  });

  it('the last code to a number is that of its newest message; other numbers keep theirs', async () => {
    await sms.send(OTHER_MOBILE, 'Code de transaction : 100200');
    await sms.send(MOBILE, 'Code de transaction : 765432 (usage unique)');
    expect(fake.lastCodeTo(MOBILE)).toBe('765432');
    expect(fake.lastCodeTo(OTHER_MOBILE)).toBe('100200');

    const res = await fetch(`${fake.url}/_control/messages?to=${encodeURIComponent(OTHER_MOBILE)}`);
    expect((await res.json()) as unknown).toEqual({ messages: [expect.objectContaining({ to: OTHER_MOBILE, body: 'Code de transaction : 100200' })] });
    const last = await fetch(`${fake.url}/_control/last-code?to=+41765550101`); // an unencoded + reads as a space
    expect(await last.json()).toEqual({ code: '100200' });
  });

  it('answers with Twilio Message resource (201, form fields in, JSON out)', async () => {
    const res = await fetch(`${fake.url}/2010-04-01/Accounts/${DEMO_CREDENTIALS.accountId}/Messages.json`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${DEMO_CREDENTIALS.user}:${DEMO_CREDENTIALS.password}`).toString('base64')}` },
      body: new URLSearchParams({ To: MOBILE, From: DEMO_SENDER, Body: 'Bonjour' }),
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({
      account_sid: DEMO_CREDENTIALS.accountId,
      to: MOBILE,
      from: DEMO_SENDER,
      body: 'Bonjour',
      status: 'queued',
      direction: 'outbound-api',
      num_segments: '1',
    });
  });

  it('counts segments as GSM-7 (160, 153 concatenated) or UCS-2 (70, 67)', () => {
    expect(segmentsOf('a'.repeat(160))).toBe(1);
    expect(segmentsOf('a'.repeat(161))).toBe(2);
    expect(segmentsOf('€'.repeat(80))).toBe(1); // extension characters take two septets
    expect(segmentsOf('€'.repeat(81))).toBe(2);
    expect(segmentsOf('ç'.repeat(70))).toBe(1); // not in GSM-7: UCS-2
    expect(segmentsOf('ç'.repeat(71))).toBe(2);
  });
});

describe('messages the provider refuses', () => {
  it.each([
    ['a number without +', '0791234567', 21211],
    ['a Swiss number of the wrong length', '+4179123456', 21211],
    ['a Swiss landline', '+41324201111', 21614],
    ['letters', '+41 79 abc', 21211],
  ])('%s: 400 with Twilio code, a non-retryable protocol error, nothing sent', async (_what, to, code) => {
    const before = fake.messages().length;
    const err = await failureOf(sms.send(to, CODE_TEXT));
    expectProtocolError(err, new RegExp(`message rejected \\(HTTP 400, code ${code}\\)`));
    expect(err.message).not.toContain(to);
    expect(fake.messages()).toHaveLength(before);
  });

  it('an empty body or one over 1600 characters; a sender ID over 11 characters', async () => {
    expectProtocolError(await failureOf(sms.send(MOBILE, '')), /code 21602/);
    const long = `${CODE_TEXT} ${'x'.repeat(1600)}`;
    const err = await failureOf(sms.send(MOBILE, long));
    expectProtocolError(err, /code 21617/);
    expect(err.message).not.toContain('xxxx');
    const badSender = createHttpSmsGateway({ ...config(), sender: 'GUICHET-VIRTUEL' });
    expectProtocolError(await failureOf(badSender.send(MOBILE, CODE_TEXT)), /code 21212/);
  });

  it('wrong credentials: 401 with WWW-Authenticate, a non-retryable protocol error', async () => {
    const res = await fetch(`${fake.url}/2010-04-01/Accounts/${DEMO_CREDENTIALS.accountId}/Messages.json`, { method: 'POST' });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Basic /);
    expect(await res.json()).toMatchObject({ code: 20003, status: 401 });

    const wrong = createHttpSmsGateway({ ...config(), password: 'not-the-token' });
    expectProtocolError(await failureOf(wrong.send(MOBILE, CODE_TEXT)), /credentials refused \(HTTP 401, code 20003\)/);
  });

  it('an account that is not the credentials: 404, a non-retryable protocol error', async () => {
    const other = createHttpSmsGateway({ ...config(), accountId: 'AC11111111111111111111111111111111' });
    expectProtocolError(await failureOf(other.send(MOBILE, CODE_TEXT)), /account or endpoint not found \(HTTP 404, code 20404\)/);
  });
});

describe('outages', () => {
  it('a provider down (503): a retryable error, nothing sent; it works again once back', async () => {
    const before = fake.messages().length;
    fake.setOutage(true);
    expectRetryable(await failureOf(sms.send(MOBILE, CODE_TEXT)), /HTTP 503 \(provider unavailable\), code 20503/);
    expect(fake.messages()).toHaveLength(before);
    fake.setOutage(false);
    await expect(sms.send(MOBILE, CODE_TEXT)).resolves.toHaveProperty('messageId');
  });

  it('a provider slower than the timeout: a retryable error, without waiting for the answer', async () => {
    const impatient = createHttpSmsGateway({ ...config(), timeoutMs: 100 });
    fake.setLatency(1000);
    const started = Date.now();
    expectRetryable(await failureOf(impatient.send(MOBILE, CODE_TEXT)), /no answer within 100 ms/);
    expect(Date.now() - started).toBeLessThan(900);
  });

  it('an unreachable provider: a retryable error', async () => {
    const gone = createHttpSmsGateway({ ...config(), url: `http://127.0.0.1:${await freePort()}`, timeoutMs: 1000 });
    expectRetryable(await failureOf(gone.send(MOBILE, CODE_TEXT)), /unreachable/);
  });

  it('the control endpoints switch the outage and the latency', async () => {
    const post = (path: string, body: unknown) =>
      fetch(`${fake.url}/_control/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(await (await post('outage', { down: true })).json()).toEqual({ down: true });
    expectRetryable(await failureOf(sms.send(MOBILE, CODE_TEXT)), /503/);
    expect(await (await post('outage', { down: false })).json()).toEqual({ down: false });
    expect(await (await post('latency', { ms: 5 })).json()).toEqual({ latencyMs: 5 });
    expect((await post('latency', { ms: -1 })).status).toBe(400);
  });
});

describe('an answer the adapter cannot read', () => {
  let server: Server;
  let base: string;
  let answer: { status: number; body: string };
  beforeAll(async () => {
    server = createServer((_req, res) => {
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(answer.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });
  const sid = `SM${'a'.repeat(32)}`;

  it.each([
    ['not JSON', { status: 201, body: '<html>oops</html>' }, /not JSON/],
    ['no sid', { status: 201, body: JSON.stringify({ to: MOBILE, status: 'queued' }) }, /invalid answer \(sid\)/],
    ['another number', { status: 201, body: JSON.stringify({ sid, to: OTHER_MOBILE, status: 'queued' }) }, /another number/],
    ['a message already failed', { status: 201, body: JSON.stringify({ sid, to: MOBILE, status: 'failed' }) }, /message failed/],
    // Twilio's own message repeats the number: the adapter reports the code only.
    [
      "Twilio's error text",
      { status: 400, body: JSON.stringify({ code: 21211, message: `The 'To' number ${MOBILE} is not a valid phone number.`, status: 400 }) },
      /HTTP 400, code 21211\)$/,
    ],
  ])('%s: a non-retryable protocol error', async (_what, a, reason) => {
    answer = a;
    const odd = createHttpSmsGateway({ ...config(), url: base, timeoutMs: 1000 });
    expectProtocolError(await failureOf(odd.send(MOBILE, CODE_TEXT)), reason);
  });

  it('a rate limit (429): retryable', async () => {
    answer = { status: 429, body: JSON.stringify({ code: 20429, message: 'Too Many Requests', status: 429 }) };
    const odd = createHttpSmsGateway({ ...config(), url: base, timeoutMs: 1000 });
    expectRetryable(await failureOf(odd.send(MOBILE, CODE_TEXT)), /HTTP 429, code 20429/);
  });
});
