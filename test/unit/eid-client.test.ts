// The e-ID verifier adapter alone, against a stub of the management API on loopback: what it
// sends, how it reads odd or slow answers, its backoff and deadline, the webhook, its settings,
// and that it never logs a claim value.
import express from 'express';
import { randomUUID } from 'node:crypto';
import { listenOn } from '../../fakes/http';
import { loadEidVerifierConfig } from '../../infra/eid/config';
import { createEidVerifier, EidVerifierProtocolError, EidVerifierUnavailableError, type Clock, type EidLogger } from '../../infra/eid/verifier-client';

const ISSUER = 'did:tdw:QmIssuer:issuer.localhost:api:v1:did:1';
const AVS = '756.1234.5678.04';

/** The stub's next answers to GET, by verification id (the last one repeats). */
const answers = new Map<string, { status: number; body: unknown; delayMs?: number }[]>();
const created: unknown[] = [];
const gets: string[] = [];
let stub: { url: string; close(): Promise<void> };

const view = (id: string, state: string, walletResponse?: unknown) => ({
  id,
  request_nonce: randomUUID(),
  state,
  ...(walletResponse ? { wallet_response: walletResponse } : {}),
  verification_url: `${stub.url}/oid4vp/api/request-object/${id}`,
  verification_deeplink: `swiyu-verify://?client_id=x&request_uri=${encodeURIComponent(`${stub.url}/oid4vp/api/request-object/${id}`)}`,
});

const success = (id: string, subject: Record<string, unknown>) =>
  view(id, 'SUCCESS', {
    error_code: null,
    error_description: null,
    credential_subject_data: { eid: [{ iss: ISSUER, vct: 'urn:vct:test', iat: 1, ...subject }] },
  });
const adele = { given_name: 'Adèle', family_name: 'Exemple', birth_date: '1985-03-21', personal_administrative_number: AVS };

beforeAll(async () => {
  const app = express();
  app.post('/management/api/verifications', express.json(), (req, res) => {
    created.push(req.body);
    res.json(view(randomUUID(), 'PENDING'));
  });
  app.get('/management/api/verifications/:id', (req, res) => {
    gets.push(req.params.id);
    const queue = answers.get(req.params.id) ?? [{ status: 404, body: {} }];
    const next = queue.length > 1 ? queue.shift()! : queue[0]!;
    const send = () => res.status(next.status).json(next.body);
    if (next.delayMs) setTimeout(send, next.delayMs);
    else send();
  });
  stub = await listenOn(app, 0, '127.0.0.1');
});
afterAll(() => stub.close());
beforeEach(() => {
  answers.clear();
  created.length = 0;
  gets.length = 0;
});

// A generous timeout: a loaded CI machine must not turn a normal call into a timeout.
const config = (requestTimeoutMs = 5_000) => ({
  baseUrl: stub.url,
  acceptedIssuerDids: [ISSUER],
  vctValues: ['urn:vct:test'],
  requestTimeoutMs,
  pollInitialMs: 100,
  pollMaxMs: 400,
});

/** A clock that advances when slept on: backoff without waiting. */
function fakeClock(start = Date.parse('2026-12-01T10:00:00Z')): Clock & { sleeps: number[] } {
  let now = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: (ms) => {
      sleeps.push(ms);
      now += ms;
      return Promise.resolve();
    },
  };
}

describe('starting a verification', () => {
  it('sends the DCQL query for the four claims, the accepted issuers and direct_post.jwt', async () => {
    const eid = createEidVerifier(config());
    const deadline = new Date(Date.now() + 60_000);
    const started = await eid.startVerification({ deadline });
    expect(created).toEqual([
      {
        accepted_issuer_dids: [ISSUER],
        jwt_secured_authorization_request: true,
        response_mode: 'direct_post.jwt',
        dcql_query: {
          credentials: [
            {
              id: 'eid',
              format: 'dc+sd-jwt',
              meta: { vct_values: ['urn:vct:test'] },
              claims: [{ path: ['given_name'] }, { path: ['family_name'] }, { path: ['birth_date'] }, { path: ['personal_administrative_number'] }],
              require_cryptographic_holder_binding: true,
            },
          ],
        },
      },
    ]);
    expect(started).toEqual({
      verificationId: expect.any(String),
      walletUrl: expect.stringContaining('/oid4vp/api/request-object/'),
      deeplink: expect.stringMatching(/^swiyu-verify:/),
      expiresAt: deadline.toISOString(),
    });
  });

  it("never promises more than the verifier's TTL", async () => {
    const clock = fakeClock();
    const eid = createEidVerifier({ ...config(), verifierTtlSec: 900 }, { clock });
    const started = await eid.startVerification({ deadline: new Date(clock.now() + 3_600_000) });
    expect(started.expiresAt).toBe(new Date(clock.now() + 900_000).toISOString());
  });
});

describe('reading a result', () => {
  it('keeps exactly the requested claims, drops the rest, and hashes the verified result', async () => {
    const id = randomUUID();
    answers.set(id, [{ status: 200, body: success(id, { ...adele, nationality: 'CH', cnf: { jwk: {} } }) }]);
    const r = await createEidVerifier(config()).result(id);
    expect(r).toEqual({
      status: 'verified',
      claims: adele,
      issuer: ISSUER,
      vct: 'urn:vct:test',
      presentationSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      verifiedAt: expect.any(String),
    });
  });

  it('refuses a SUCCESS without the AVS number or with a malformed one', async () => {
    const eid = createEidVerifier(config());
    for (const subject of [
      { ...adele, personal_administrative_number: undefined },
      { ...adele, personal_administrative_number: '7561234567804' },
    ]) {
      const id = randomUUID();
      answers.set(id, [{ status: 200, body: success(id, subject) }]);
      expect(await eid.result(id)).toEqual({ status: 'failed', code: 'credential_missing_data' });
    }
  });

  it("gives FAILED with the verifier's code, and 404 as expired", async () => {
    const eid = createEidVerifier(config());
    const id = randomUUID();
    answers.set(id, [
      {
        status: 200,
        body: view(id, 'FAILED', { error_code: 'credential_revoked', error_description: 'Credential is not valid', credential_subject_data: null }),
      },
    ]);
    expect(await eid.result(id)).toEqual({ status: 'failed', code: 'credential_revoked' });
    expect(await eid.result(randomUUID())).toEqual({ status: 'failed', code: 'verification_expired' });
  });

  it('refuses an answer that is not a management response, naming fields and no values', async () => {
    const id = randomUUID();
    answers.set(id, [{ status: 200, body: { id, state: 'DONE', given_name: 'Adèle' } }]);
    const err = await createEidVerifier(config())
      .result(id)
      .catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(EidVerifierProtocolError);
    expect((err as Error).message).toMatch(/state/);
    expect((err as Error).message).not.toContain('Adèle');
  });

  it('times out a call that does not answer, as retryable', async () => {
    const id = randomUUID();
    answers.set(id, [{ status: 200, body: view(id, 'PENDING'), delayMs: 1_000 }]);
    await expect(createEidVerifier(config(200)).result(id)).rejects.toThrow(EidVerifierUnavailableError);
    await expect(createEidVerifier(config(200)).result(id)).rejects.toThrow('no answer within 200 ms');
  });
});

describe('waiting for a result', () => {
  it('polls with growing, capped waits and ends at the deadline', async () => {
    const clock = fakeClock();
    const id = randomUUID();
    answers.set(id, [{ status: 200, body: view(id, 'PENDING') }]);
    const r = await createEidVerifier(config(), { clock }).awaitResult(id, { deadline: new Date(clock.now() + 3_000) });
    expect(r).toEqual({ status: 'failed', code: 'deadline_exceeded' });
    expect(clock.sleeps.reduce((a, b) => a + b, 0)).toBe(3_000);
    // Jittered within [wait/2, wait], the wait growing ×1.6 up to 400 ms.
    expect(clock.sleeps[0]).toBeGreaterThanOrEqual(50);
    expect(clock.sleeps[0]).toBeLessThanOrEqual(100);
    expect(Math.max(...clock.sleeps)).toBeLessThanOrEqual(400);
    expect(Math.max(...clock.sleeps)).toBeGreaterThan(200);
    expect(gets.length).toBe(clock.sleeps.length + 1);
  });

  it('polls on through an outage (503) and returns the result', async () => {
    const clock = fakeClock();
    const id = randomUUID();
    answers.set(id, [
      { status: 503, body: {} },
      { status: 200, body: view(id, 'PENDING') },
      { status: 200, body: success(id, adele) },
    ]);
    const r = await createEidVerifier(config(), { clock }).awaitResult(id, { deadline: new Date(clock.now() + 10_000) });
    expect(r).toMatchObject({ status: 'verified', claims: adele });
    expect(gets).toHaveLength(3);
  });

  it('ends a PENDING read after the webhook as not accepted', async () => {
    const clock = fakeClock();
    const id = randomUUID();
    answers.set(id, [{ status: 200, body: view(id, 'PENDING') }]);
    let hooked = false;
    const eid = createEidVerifier(config(), { clock });
    const first = await eid.result(id, { afterWebhook: hooked });
    hooked = true;
    expect(first).toEqual({ status: 'pending' });
    expect(await eid.awaitResult(id, { deadline: new Date(clock.now() + 10_000), notified: () => hooked })).toEqual({
      status: 'failed',
      code: 'presentation_not_accepted',
    });
  });
});

describe('the webhook', () => {
  const key = { header: 'X-Verifier-Key', value: 'sixteen-chars-or-more' };
  const body = { verification_id: randomUUID(), timestamp: '2026-12-01T10:00:00Z' };

  it('is taken only with the configured key and a well-formed body', () => {
    const eid = createEidVerifier({ ...config(), webhookApiKey: key });
    expect(eid.parseWebhook({ 'x-verifier-key': key.value }, body)).toBe(body.verification_id);
    expect(eid.parseWebhook({ 'x-verifier-key': 'sixteen-chars-or-mora' }, body)).toBeNull();
    expect(eid.parseWebhook({}, body)).toBeNull();
    expect(eid.parseWebhook({ 'x-verifier-key': key.value }, { verification_id: 'nope' })).toBeNull();
  });
});

describe('settings and logs', () => {
  it('names the missing or bad settings, never a secret value', () => {
    expect(() => loadEidVerifierConfig({ EID_VERIFIER_TOKEN: 'secret-token-value' })).toThrow(/EID_VERIFIER_URL.*EID_ACCEPTED_ISSUER_DIDS.*EID_VCT_VALUES/);
    expect(() => loadEidVerifierConfig({ EID_VERIFIER_URL: 'http://x', EID_ACCEPTED_ISSUER_DIDS: 'did:tdw:a#key', EID_VCT_VALUES: 'v' })).toThrow(
      /EID_ACCEPTED_ISSUER_DIDS/,
    );
    const err = (() => {
      try {
        loadEidVerifierConfig({ EID_VERIFIER_TOKEN: 'secret-token-value', EID_WEBHOOK_API_KEY_HEADER: 'x-k', EID_WEBHOOK_API_KEY_VALUE: 'short-key' });
      } catch (e) {
        return e as Error;
      }
      throw new Error('expected the settings to be refused');
    })();
    expect(err.message).toContain('EID_WEBHOOK_API_KEY_HEADER / EID_WEBHOOK_API_KEY_VALUE');
    expect(err.message).not.toMatch(/secret-token-value|short-key/);
    expect(
      loadEidVerifierConfig({ EID_VERIFIER_URL: 'https://verifier.example', EID_ACCEPTED_ISSUER_DIDS: `${ISSUER}, did:webvh:Qm2:x`, EID_VCT_VALUES: 'a,b' }),
    ).toMatchObject({
      acceptedIssuerDids: [ISSUER, 'did:webvh:Qm2:x'],
      vctValues: ['a', 'b'],
      responseMode: 'direct_post.jwt',
    });
  });

  it('logs ids, states and codes, and no claim value', async () => {
    const lines: string[] = [];
    const logger: EidLogger = { info: (o, m) => lines.push(JSON.stringify([o, m])), warn: (o, m) => lines.push(JSON.stringify([o, m])) };
    const eid = createEidVerifier(config(), { logger });
    const started = await eid.startVerification();
    answers.set(started.verificationId, [{ status: 200, body: success(started.verificationId, adele) }]);
    await eid.result(started.verificationId);
    const bad = randomUUID();
    answers.set(bad, [{ status: 200, body: success(bad, { ...adele, birth_date: '21.03.1985' }) }]);
    await eid.result(bad);
    expect(lines.length).toBeGreaterThanOrEqual(3);
    const all = lines.join('\n');
    for (const value of [...Object.values(adele), '21.03.1985', '756.']) expect(all).not.toContain(value);
  });
});
