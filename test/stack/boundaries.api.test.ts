// The API's boundary, over real HTTP on the dev server: a record whose workflow is not there
// answers with its stored state (never 500), and text that is not text is refused naming
// the field (a fuzzer found NUL bytes answering 500).
import express from 'express';
import request from 'supertest';
import { errorHandler } from '../../api/errors';
import { codecRoutes } from '../../api/routes/codec';
import { AesGcmCodec } from '../../infra/codec';
import { DataKeyCodec, type DataKeyStore } from '../../infra/data-keys';
import { recordAccessRequestRow } from '../../records/access-requests';
import { personalData } from '../../workflows/personal-data';
import { freshAvs } from '../support/applications';
import { insertContract } from '../support/contracts';
import { startStack, TEST_METRICS_TOKEN, type Stack } from '../support/stack';
import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});
const bearer = (t: string) => ({ Authorization: `Bearer ${t}` });

describe('a record whose workflow is not on the server', () => {
  it('answers with the stored state, the same way for contracts, applications and access requests', async () => {
    const c = await insertContract(stack.db, { canton: 'JU' });
    const citizen = await stack.token({ role: 'citizen', sub: c.sub });
    const staff = await stack.token({ role: 'chancellery', sub: 'jurist-1' });

    const mine = await request(stack.app).get('/v1/me/contract').set(bearer(citizen));
    expect(mine.status).toBe(200);
    expect(mine.body).toMatchObject({ contractId: c.contractId, status: 'active', pendingTerms: null, blocks: [], refusalTaskId: null });
    const theirs = await request(stack.app).get(`/v1/contracts/${c.contractId}`).set(bearer(staff));
    expect(theirs.status).toBe(200);
    expect(theirs.body.contractId).toBe(c.contractId);

    const application = await request(stack.app).get(`/v1/onboarding/applications/${c.applicationId}`).set(bearer(citizen));
    expect(application.status).toBe(200);
    expect(application.body).toMatchObject({ applicationId: c.applicationId, status: 'approved', pending: null });

    const requestId = randomUUID();
    await recordAccessRequestRow(stack.db, {
      requestId,
      canton: 'JU',
      unitId: 'SPOP',
      service: 'building-permits',
      citizenSub: c.sub,
      filedBySub: c.sub,
      filedByRole: 'citizen',
      applicant: personalData('access-request', requestId, { avsNumber: freshAvs(), email: c.email }),
      requestedAt: new Date().toISOString(),
    });
    const status = await request(stack.app).get(`/v1/access-requests/${requestId}`).set(bearer(citizen));
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({ requestId, state: 'awaiting-unit', unitId: 'SPOP' });
    // An act on a process that is not running is a conflict with a reason, not a 500.
    const unit = await stack.token({ role: 'unit', sub: 'agent-1', unit: 'SPOP' });
    const decided = await request(stack.app).post(`/v1/access-requests/${requestId}/decision`).set(bearer(unit)).send({ outcome: 'grant' });
    expect(decided.status).toBe(409);
    const notice = await request(stack.app).post('/v1/me/contract/notice').set(bearer(citizen));
    expect(notice.status).toBe(409);
  });

  it('a rollout never started answers null figures; the version itself is there', async () => {
    const staff = await stack.token({ role: 'chancellery', sub: 'jurist-1' });
    const version = `nowf-${Date.now()}`;
    await stack.db.termsVersion.create({
      data: {
        version,
        canton: 'JU',
        title: 'CG',
        mediaType: 'text/plain; charset=utf-8',
        document: new Uint8Array(Buffer.from('x')),
        documentSha256: 'a'.repeat(64),
        effectiveOn: '2030-01-01',
        acceptanceDays: 30,
        restrictFrom: '2030-01-31',
        blockFrom: '2030-03-01',
        publishedBy: 'jurist-1',
      },
    });
    const v = await request(stack.app).get(`/v1/terms-versions/${version}`).set(bearer(staff));
    expect(v.status).toBe(200);
    expect(v.body.rollout).toMatchObject({ notified: null, done: null });
  });
});

describe('text that is not text', () => {
  it('a NUL byte in a query or a body field is a 400 naming the field', async () => {
    const unit = await stack.token({ role: 'unit', sub: 'agent-1', unit: 'SPOP' });
    const holds = await request(stack.app).get('/v1/legal-holds?decisionId=%00').set(bearer(unit));
    expect(holds.status).toBe(400);
    expect(holds.body.error.details).toEqual([{ path: 'decisionId', issue: expect.stringContaining('NUL') }]);

    const staff = await stack.token({ role: 'chancellery', sub: `jurist-${randomUUID()}` });
    const view = await request(stack.app).post('/v1/me/views').set(bearer(staff)).send({ name: 'a\u0000b', filters: {} });
    expect(view.status).toBe(400);
    expect(view.body.error.details[0].path).toBe('name');
    const nested = await request(stack.app)
      .post('/v1/me/views')
      .set(bearer(staff))
      .send({ name: 'ok', filters: { commune: 'Del\u0000' } });
    expect(nested.status).toBe(400);
    expect(nested.body.error.details[0].path).toBe('filters.commune');
  });

  it('invalid UTF-8 and lone surrogates are refused the same way', async () => {
    const staff = await stack.token({ role: 'chancellery', sub: `jurist-${randomUUID()}` });
    const raw = Buffer.concat([Buffer.from('{"name":"caf'), Buffer.from([0xc3, 0x28]), Buffer.from('","filters":{}}')]);
    const bad = await request(stack.app).post('/v1/me/views').set(bearer(staff)).set('Content-Type', 'application/json').send(raw);
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe('name');
    const surrogate = await request(stack.app)
      .post('/v1/me/views')
      .set(bearer(staff))
      .set('Content-Type', 'application/json')
      .send('{"name":"x\\ud800","filters":{}}');
    expect(surrogate.status).toBe(400);
    expect(surrogate.body.error.details[0].path).toBe('name');
    const fine = await request(stack.app).post('/v1/me/views').set(bearer(staff)).send({ name: 'Délais — à voir 😀', filters: {} });
    expect(fine.status).toBe(201);
  });
});

describe('the codec server', () => {
  /** One payload as the Web UI posts it, encoded by the client's own data converter. */
  async function encoded(stack: Stack, dataKeys: DataKeyStore, value: object) {
    // The client's order: the record's data key inside, the cluster key outside.
    const json = { metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from(JSON.stringify(value)) };
    const [p] = (await new AesGcmCodec(stack.keys, stack.activeKeyId).encode(await new DataKeyCodec(dataKeys).encode([json]))) as [
      { metadata: Record<string, Uint8Array>; data: Uint8Array },
    ];
    return {
      metadata: Object.fromEntries(Object.entries(p.metadata).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
      data: Buffer.from(p.data).toString('base64'),
    };
  }
  const operator = () => stack.token({ role: 'operator', sub: 'ops-boundary' });

  it('encodes under a record key that exists, never makes one, and logs every encode', async () => {
    const plainJson = (value: object) => ({
      metadata: { encoding: Buffer.from('json/plain').toString('base64') },
      data: Buffer.from(JSON.stringify(value)).toString('base64'),
    });
    const unknown = `access-request:${randomUUID()}`;
    const refused = await request(stack.app)
      .post('/codec/encode')
      .set(bearer(await operator()))
      .send({ payloads: [plainJson({ email: 'x@example.ch', $dataKey: unknown })] });
    expect(refused.status).toBe(422);
    expect(await stack.db.dataKey.count({ where: { id: unknown } })).toBe(0);

    const existing = randomUUID();
    await stack.dataKeys.forEncrypt(`access-request:${existing}`);
    const before = await stack.db.dataKey.count();
    const sealed = await request(stack.app)
      .post('/codec/encode')
      .set(bearer(await operator()))
      .set('x-access-purpose', 'repair INC-7')
      .send({ payloads: [plainJson({ email: 'x@example.ch', $dataKey: `access-request:${existing}` }), plainJson({ n: 1 })] });
    expect(sealed.status).toBe(200);
    expect(await stack.db.dataKey.count()).toBe(before);
    // What it made opens again, through both layers.
    const opened = await request(stack.app)
      .post('/codec/decode')
      .set(bearer(await operator()))
      .send({ payloads: sealed.body.payloads });
    expect(JSON.parse(Buffer.from(opened.body.payloads[0].data, 'base64').toString())).toMatchObject({ email: 'x@example.ch' });
    const logged = await stack.db.accessLog.findMany({ where: { actorSub: 'ops-boundary', action: { startsWith: 'codec.encode' } } });
    expect(logged.map((l) => l.purpose)).toContainEqual(expect.stringContaining('repair INC-7'));
  });

  it('answers 422 for a payload it cannot open, and 500 (logged) when its own data-key store fails', async () => {
    const id = randomUUID();
    const good = await encoded(stack, stack.dataKeys, personalData('access-request', id, { email: 'x@example.ch' }));
    const ok = await request(stack.app)
      .post('/codec/decode')
      .set(bearer(await operator()))
      .send({ payloads: [good] });
    expect(ok.status).toBe(200);

    const bytes = Buffer.from(good.data, 'base64');
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0xff;
    const tampered = await request(stack.app)
      .post('/codec/decode')
      .set(bearer(await operator()))
      .send({ payloads: [{ ...good, data: bytes.toString('base64') }] });
    expect(tampered.status).toBe(422);
    expect(tampered.body.error.code).toBe('undecodable');
    const otherKey = { ...good, metadata: { ...good.metadata, 'encryption-key-id': Buffer.from('no-such-key').toString('base64') } };
    expect(
      (
        await request(stack.app)
          .post('/codec/decode')
          .set(bearer(await operator()))
          .send({ payloads: [otherKey] })
      ).status,
    ).toBe(422);

    // The same payload through a codec server whose data-key store is down: our failure, not the payload's.
    const down: DataKeyStore = {
      forEncrypt: async () => Promise.reject(new Error('connect ECONNREFUSED')),
      forDecrypt: async () => Promise.reject(new Error('connect ECONNREFUSED')),
      destroy: async () => false,
    };
    const app = express()
      .use(express.json())
      .use(
        codecRoutes({
          codec: new AesGcmCodec(stack.keys, stack.activeKeyId),
          dataKeys: down,
          db: stack.db,
          verify: async () => ({ sub: 'ops-boundary', role: 'operator', domains: [] }),
          corsOrigins: [],
          secureCookie: false,
        }),
      );
    app.use(errorHandler);
    const failed = await request(app)
      .post('/codec/decode')
      .set(bearer('any'))
      .send({ payloads: [good] });
    expect(failed.status).toBe(500);
    expect(failed.body.error.code).toBe('internal');
  });
});

// What an anonymous caller can make the API do before it knows who calls: read nothing large,
// inflate nothing, learn nothing about its dependencies or its load.
describe('before the caller is known', () => {
  it('a large body without a token is refused 401 unread; with one, over the route limit, 413', async () => {
    const big = JSON.stringify({ unitId: 'SPOP', service: 'x', note: 'x'.repeat(2_000_000) });
    const anonymous = await request(stack.app).post('/v1/access-requests').set('content-type', 'application/json').send(big);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers['www-authenticate']).toBe('Bearer');
    const signedIn = await request(stack.app)
      .post('/v1/access-requests')
      .set(bearer(await stack.token({ role: 'citizen' })))
      .set('content-type', 'application/json')
      .send(big);
    expect(signedIn.status).toBe(413);
    // Only a route that takes a PDF reads more: a citizen's 2 MB to the decisions route is not a unit's call.
    const notAUnit = await request(stack.app)
      .post('/v1/decisions')
      .set(bearer(await stack.token({ role: 'citizen' })))
      .set('content-type', 'application/json')
      .send(big);
    expect(notAUnit.status).toBe(403);
    // The codec server reads a body only once the operator is known.
    const codec = await request(stack.app)
      .post('/codec/encode')
      .set('content-type', 'application/json')
      .send(JSON.stringify({ payloads: [], pad: 'x'.repeat(500_000) }));
    expect(codec.status).toBe(401);
  });

  it('a compressed body is refused 415: nothing the API takes needs it, and a small gzip can inflate a thousandfold', async () => {
    const bomb = gzipSync(JSON.stringify({ unitId: 'SPOP', service: 'archives', note: ' '.repeat(50_000_000) }));
    expect(bomb.length).toBeLessThan(100_000);
    const res = await request(stack.app)
      .post('/v1/access-requests')
      .set(bearer(await stack.token({ role: 'citizen' })))
      .set('content-type', 'application/json')
      .set('content-encoding', 'gzip')
      .send(bomb);
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe('unsupported_encoding');
  });

  it('/metrics needs an operator or the scraper token; /readyz says ok or not, never why', async () => {
    expect((await request(stack.app).get('/metrics')).status).toBe(401);
    expect((await request(stack.app).get('/metrics').set(bearer('not-the-token'))).status).toBe(401);
    expect(
      (
        await request(stack.app)
          .get('/metrics')
          .set(bearer(await stack.token({ role: 'citizen' })))
      ).status,
    ).toBe(403);
    const scraped = await request(stack.app).get('/metrics').set(bearer(TEST_METRICS_TOKEN));
    expect(scraped.status).toBe(200);
    expect(scraped.text).toContain('http_request_duration_seconds');
    const ready = await request(stack.app).get('/readyz');
    expect(ready.body).toEqual({ status: 'ok', checks: { temporal: 'ok', database: 'ok' } });
  });

  it('answers with personal data, and errors, are never cached', async () => {
    const c = await insertContract(stack.db, { canton: 'JU' });
    const citizen = await stack.token({ role: 'citizen', sub: c.sub });
    const contract = await request(stack.app).get('/v1/me/contract').set(bearer(citizen));
    expect(contract.status).toBe(200);
    expect(contract.headers['cache-control']).toBe('no-store');
    const refused = await request(stack.app).get('/v1/me/contract');
    expect(refused.status).toBe(401);
    expect(refused.headers['cache-control']).toBe('no-store');
    const decoded = await request(stack.app).post('/codec/decode').send({ payloads: [] });
    expect(decoded.headers['cache-control']).toBe('no-store');
  });
});

// The limits count in PostgreSQL (rate-limiter-flexible), so two replicas see the same calls.
describe('rate limits', () => {
  it('an account acting too often gets 429 with Retry-After, across replicas; its reads and other accounts go on', async () => {
    const limits = { writesPerMinute: 3, anonymousPerMinute: 2 };
    const [replicaA, replicaB] = [stack.appWithRateLimits(limits), stack.appWithRateLimits(limits)];
    const citizen = await stack.token({ role: 'citizen', sub: `limited-${randomUUID()}` });
    const file = (app: typeof replicaA, token: string) =>
      request(app).post('/v1/access-requests').set(bearer(token)).send({ unitId: 'SPOP', service: 'x', email: 'nope' });
    // Refused for their content (400), they still count: three, on two replicas.
    expect((await file(replicaA, citizen)).status).toBe(400);
    expect((await file(replicaB, citizen)).status).toBe(400);
    expect((await file(replicaA, citizen)).status).toBe(400);
    const fourth = await file(replicaB, citizen);
    expect(fourth.status).toBe(429);
    expect(fourth.body.error.code).toBe('rate_limited');
    expect(Number(fourth.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(fourth.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect((await request(replicaA).get('/v1/me/contract').set(bearer(citizen))).status).not.toBe(429);
    const other = await stack.token({ role: 'citizen', sub: `limited-${randomUUID()}` });
    expect((await file(replicaA, other)).status).toBe(400);
    expect(await stack.db.rateLimit.count({ where: { key: { startsWith: 'acts:citizen:limited-' } } })).toBeGreaterThanOrEqual(2);
  });

  it("the identity provider's sign-in steps count per login, not against its own subject", async () => {
    // One act per subject a minute: were the provider counted as one account, its second call would be 429.
    const app = stack.appWithRateLimits({ writesPerMinute: 1, anonymousPerMinute: 1000, signInsPerLoginPerMinute: 2 });
    const idp = await stack.token({ role: 'identity-provider', sub: `idp-${randomUUID()}` });
    const step = (userCode: string) => request(app).post('/v1/sign-in/password').set(bearer(idp)).send({ userCode, password: 'guess' });
    const tried = `TRY-${randomUUID().slice(0, 8)}`;
    expect((await step(tried)).status).not.toBe(429);
    expect((await step(tried.toLowerCase())).status).not.toBe(429); // the same login, however it is typed
    const third = await step(tried);
    expect(third.status).toBe(429);
    expect(third.body.error.message).toMatch(/for this login/);
    expect(Number(third.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // Everyone else signing in through the same provider goes on.
    for (let i = 0; i < 3; i++) expect((await step(`OTHER-${randomUUID().slice(0, 8)}`)).status).not.toBe(429);
    // The count keeps no user code, only its hash.
    const keys = await stack.db.rateLimit.findMany({ where: { key: { startsWith: 'login:' } }, select: { key: true } });
    expect(keys.length).toBeGreaterThanOrEqual(4);
    expect(JSON.stringify(keys)).not.toContain(tried);
  });

  it('anonymous sign-in doors count per address: the codec sign-in and the workspace token exchange', async () => {
    const app = stack.appWithRateLimits({ writesPerMinute: 1000, anonymousPerMinute: 2 });
    const address = `203.0.113.${Math.floor(Math.random() * 250) + 1}`; // behind the loopback proxy
    const tryIt = (path: string) => request(app).post(path).set('x-forwarded-for', address).type('form').send({ token: 'wrong' });
    expect((await tryIt('/codec/session')).status).toBe(401);
    expect((await tryIt('/staff/auth/token')).status).not.toBe(429);
    const third = await tryIt('/codec/session');
    expect(third.status).toBe(429);
    expect(third.headers['retry-after']).toBeDefined();
    // Another address is not held up.
    const elsewhere = await request(app).post('/codec/session').set('x-forwarded-for', '198.51.100.7').type('form').send({ token: 'wrong' });
    expect(elsewhere.status).toBe(401);
  });
});
