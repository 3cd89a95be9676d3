// NE 4.5: a very sensitive transaction needs a single-use transaction code, sent by SMS, valid
// once for the rule set's minutes. The whole stack: real HTTP into the API, the fake SMS
// provider over HTTP (Twilio's API), PostgreSQL; Jura's counter asks for none.
import request from 'supertest';
import { profiles } from '../../domain/profiles';
import { juraNamesIn } from '../support/canton-names';
import { startStack, type Stack } from '../support/stack';

const SENSITIVE = 'vote-electronique';
const PERSON = { avsNumber: '756.9217.0769.85', email: 'jeanne.citoyenne@example.ch' };
const NE_RULES = profiles.NE.transactionCodes;

// Mobile numbers as the credential store would answer them (the PhoneDirectory port).
const phones = new Map<string, string>();
const phoneDirectory = { mobileOf: (sub: string) => Promise.resolve(phones.get(sub) ?? null) };
// The use cases' clock: the real one, moved forward by a test.
let offsetMs = 0;
const now = () => new Date(Date.now() + offsetMs);

let ne: Stack;
let ju: Stack;
beforeAll(async () => {
  [ne, ju] = await Promise.all([startStack({ canton: 'NE', phones: phoneDirectory, now }), startStack({ canton: 'JU', phones: phoneDirectory })]);
});
afterAll(async () => {
  await Promise.all([ne?.stop(), ju?.stop()]);
});
afterEach(() => {
  offsetMs = 0;
});

const bearer = (t: string) => ({ Authorization: `Bearer ${t}` });
let n = 0;

/** A citizen with a mobile phone on the counter. */
async function citizen(stack: Stack, { phone = true } = {}) {
  n += 1;
  const sub = `tx-citizen-${n}-${Date.now()}`;
  const mobile = `+4179${String(1_000_000 + n).slice(-7)}`;
  if (phone) phones.set(sub, mobile);
  return { sub, mobile, token: await stack.token({ role: 'citizen', sub }) };
}

function fileRequest(stack: Stack, token: string, service = SENSITIVE, code?: { codeId: string; code: string }, idempotencyKey?: string) {
  let r = request(stack.app).post('/v1/access-requests').set(bearer(token));
  if (code) r = r.set('X-Transaction-Code-Id', code.codeId).set('X-Transaction-Code', code.code);
  if (idempotencyKey) r = r.set('Idempotency-Key', idempotencyKey);
  return r.send({ unitId: 'SPOP', service, ...PERSON });
}

function askCode(stack: Stack, token: string, service = SENSITIVE, action = 'access-request.create') {
  return request(stack.app).post('/v1/me/transaction-codes').set(bearer(token)).send({ purpose: { action, service } });
}

/** What the SMS provider delivered to the phone, read over its control API. */
async function lastCode(stack: Stack, mobile: string): Promise<string> {
  const res = await fetch(`${stack.sms.url}/_control/last-code?to=${encodeURIComponent(mobile)}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { code: string }).code;
}

async function smsTo(stack: Stack, mobile: string): Promise<string[]> {
  const res = await fetch(`${stack.sms.url}/_control/messages?to=${encodeURIComponent(mobile)}`);
  return ((await res.json()) as { messages: Array<{ body: string }> }).messages.map((m) => m.body);
}

async function codeFor(stack: Stack, who: { token: string; mobile: string }, service = SENSITIVE) {
  const sent = await askCode(stack, who.token, service);
  expect(sent.status).toBe(201);
  return { codeId: sent.body.codeId as string, code: await lastCode(stack, who.mobile) };
}

describe('Neuchâtel: a sensitive transaction needs a single-use code (NE 4.5)', () => {
  it('refuses the transaction without a code, and files nothing', async () => {
    const anna = await citizen(ne);
    const res = await fileRequest(ne, anna.token);
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('transaction_code_required');
    expect(await ne.db.accessRequest.count({ where: { citizenSub: anna.sub } })).toBe(0);
  });

  it('sends a code by SMS, never in the answer, and takes the transaction with it once', async () => {
    const bea = await citizen(ne);
    const sent = await askCode(ne, bea.token);
    expect(sent.status).toBe(201);
    expect(Object.keys(sent.body).sort()).toEqual(['codeId', 'expiresAt']);
    const code = await lastCode(ne, bea.mobile);
    expect(code).toMatch(new RegExp(`^\\d{${NE_RULES.codeLength}}$`));
    expect(JSON.stringify(sent.body)).not.toContain(code);
    // Valid for the rule set's minutes
    expect(new Date(sent.body.expiresAt).getTime() - Date.now()).toBeGreaterThan((NE_RULES.validityMinutes - 1) * 60_000);
    expect(new Date(sent.body.expiresAt).getTime() - Date.now()).toBeLessThanOrEqual(NE_RULES.validityMinutes * 60_000);
    // Stored hashed: the code is in no column of its row
    const row = await ne.db.transactionCode.findUniqueOrThrow({ where: { id: sent.body.codeId } });
    expect(JSON.stringify(row)).not.toContain(code);

    const ok = await fileRequest(ne, bea.token, SENSITIVE, { codeId: sent.body.codeId, code });
    expect(ok.status).toBe(202);
    expect(ok.body).toMatchObject({ service: SENSITIVE, unitId: 'SPOP' });

    const again = await fileRequest(ne, bea.token, SENSITIVE, { codeId: sent.body.codeId, code });
    expect(again.status).toBe(403);
    expect(again.body.error).toMatchObject({ code: 'transaction_code_invalid', details: [{ issue: 'the code was used already' }] });
    expect(await ne.db.accessRequest.count({ where: { citizenSub: bea.sub } })).toBe(1);
  });

  it('says in the SMS what the code is for and how long it is valid, and names nothing of Jura', async () => {
    const carl = await citizen(ne);
    await codeFor(ne, carl);
    const [text] = await smsTo(ne, carl.mobile);
    expect(text).toContain(SENSITIVE);
    expect(text).toContain("demande d'accès");
    expect(text).toContain(`${NE_RULES.validityMinutes} minutes`);
    expect(text).toMatch(/une seule fois/);
    expect(juraNamesIn(text!)).toEqual([]);
  });

  it('refuses an expired code', async () => {
    const dora = await citizen(ne);
    const code = await codeFor(ne, dora);
    offsetMs = (NE_RULES.validityMinutes * 60 + 1) * 1000;
    const res = await fileRequest(ne, dora.token, SENSITIVE, code);
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({ code: 'transaction_code_invalid', details: [{ issue: 'the code has expired' }] });
  });

  it('voids a code after the wrong tries the rule set allows', async () => {
    const emil = await citizen(ne);
    const code = await codeFor(ne, emil);
    const wrong = String((Number(code.code) + 1) % 10 ** NE_RULES.codeLength).padStart(NE_RULES.codeLength, '0');
    for (let i = 0; i < NE_RULES.maxWrongTries; i++) {
      const res = await fileRequest(ne, emil.token, SENSITIVE, { ...code, code: wrong });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('transaction_code_invalid');
    }
    const right = await fileRequest(ne, emil.token, SENSITIVE, code);
    expect(right.status).toBe(403);
    expect(right.body.error.details[0].issue).toBe('the code is void after too many wrong entries');
  });

  it("refuses a code sent for another transaction, or someone else's", async () => {
    const fay = await citizen(ne);
    const gil = await citizen(ne);
    // A code for a consent is no code for an access request
    const forConsent = await askCode(ne, fay.token, SENSITIVE, 'service-consent.grant');
    expect(forConsent.status).toBe(201);
    const consentCode = { codeId: forConsent.body.codeId as string, code: await lastCode(ne, fay.mobile) };
    const other = await fileRequest(ne, fay.token, SENSITIVE, consentCode);
    expect(other.status).toBe(403);
    expect(other.body.error.details[0].issue).toBe('the code was sent for another transaction');
    // Fay's code in Gil's hands
    const fays = await codeFor(ne, fay);
    const stolen = await fileRequest(ne, gil.token, SENSITIVE, fays);
    expect(stolen.status).toBe(403);
    expect(stolen.body.error.code).toBe('transaction_code_invalid');
    // and still Fay's to use
    expect((await fileRequest(ne, fay.token, SENSITIVE, fays)).status).toBe(202);
  });

  it('takes the same request again with the same code and Idempotency-Key: the same request', async () => {
    const hugo = await citizen(ne);
    const code = await codeFor(ne, hugo);
    const first = await fileRequest(ne, hugo.token, SENSITIVE, code, 'tx-retry-key-1');
    expect(first.status).toBe(202);
    const retry = await fileRequest(ne, hugo.token, SENSITIVE, code, 'tx-retry-key-1');
    expect(retry.status).toBe(202);
    expect(retry.body.requestId).toBe(first.body.requestId);
    // Another request with the used code: refused
    expect((await fileRequest(ne, hugo.token, SENSITIVE, code, 'tx-retry-key-2')).status).toBe(403);
  });

  it('asks no code for a service that is not sensitive, and sends none for it', async () => {
    const ida = await citizen(ne);
    expect((await fileRequest(ne, ida.token, 'building-permits')).status).toBe(202);
    const res = await askCode(ne, ida.token, 'building-permits');
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].path).toBe('purpose');
    expect(await smsTo(ne, ida.mobile)).toEqual([]);
  });

  it('answers 409 when no mobile phone is known, and limits the codes open at once', async () => {
    const jon = await citizen(ne, { phone: false });
    const none = await askCode(ne, jon.token);
    expect(none.status).toBe(409);
    expect(none.body.error.code).toBe('no_mobile_phone');

    const kim = await citizen(ne);
    for (let i = 0; i < NE_RULES.maxOpenCodes; i++) expect((await askCode(ne, kim.token)).status).toBe(201);
    const tooMany = await askCode(ne, kim.token);
    expect(tooMany.status).toBe(429);
    expect(tooMany.body.error.code).toBe('too_many_codes');
    expect(await smsTo(ne, kim.mobile)).toHaveLength(NE_RULES.maxOpenCodes);
  });

  it('asks a code for a consent to a sensitive domain too', async () => {
    const lea = await citizen(ne);
    const body = { unitId: 'SPOP', domain: SENSITIVE };
    const without = await request(ne.app).post('/v1/me/service-consents').set(bearer(lea.token)).send(body);
    expect(without.status).toBe(403);
    expect(without.body.error.code).toBe('transaction_code_required');
    const sent = await askCode(ne, lea.token, SENSITIVE, 'service-consent.grant');
    const code = await lastCode(ne, lea.mobile);
    const given = await request(ne.app)
      .post('/v1/me/service-consents')
      .set(bearer(lea.token))
      .set('X-Transaction-Code-Id', sent.body.codeId)
      .set('X-Transaction-Code', code)
      .send(body);
    expect(given.status).toBe(201);
  });

  it('documents the headers in the OpenAPI document', async () => {
    const doc = (await request(ne.app).get('/openapi.json')).body;
    const params = doc.paths['/v1/access-requests'].post.parameters.map((p: { name: string }) => p.name);
    expect(params).toEqual(expect.arrayContaining(['x-transaction-code-id', 'x-transaction-code']));
    expect(doc.paths['/v1/me/transaction-codes'].post).toBeDefined();
  });
});

describe('Jura: no transaction codes', () => {
  it('takes the same transaction without a code, and sends none', async () => {
    const max = await citizen(ju);
    const res = await fileRequest(ju, max.token);
    expect(res.status).toBe(202);
    const ask = await askCode(ju, max.token);
    expect(ask.status).toBe(404);
    expect(await smsTo(ju, max.mobile)).toEqual([]);
  });
});
