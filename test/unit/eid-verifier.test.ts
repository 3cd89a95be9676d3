// The e-ID verification over real HTTP on loopback: the engine's adapter creates a verification
// at the fake generic verifier, the test wallet answers it, and the adapter reads the result.
// The attacker cases each end as the real verifier ends them (swiyu-verifier 4.2 error codes).
// No database or Temporal: everything here listens on 127.0.0.1 and is closed afterwards.
import express from 'express';
import { startFakeEidVerifier, type FakeEidVerifier } from '../../fakes/eid-verifier/server';
import { listenOn } from '../../fakes/http';
import { createEidVerifier, type EidVerifier, type EidVerificationResult, type StartedVerification } from '../../infra/eid/verifier-client';
import {
  ADELE,
  BETA_ID_VCT,
  createTestWallet,
  startTestIssuer,
  tamperDisclosure,
  type PresentOptions,
  type TestIssuer,
  type TestWallet,
} from '../support/eid-wallet';

const WEBHOOK_KEY = { header: 'x-verifier-key', value: 'a-static-webhook-key-for-tests' };
const REQUESTED = {
  given_name: ADELE.given_name,
  family_name: ADELE.family_name,
  birth_date: ADELE.birth_date,
  personal_administrative_number: ADELE.personal_administrative_number,
};

let issuer: TestIssuer;
let mallory: TestIssuer;
let fake: FakeEidVerifier;
let wallet: TestWallet;
let eid: EidVerifier;
let clockOffsetMs = 0;
let closeWebhook: () => Promise<void>;
/** Webhook calls received, by verification id; and who waits for one. */
const notified = new Map<string, number>();
const waiting = new Map<string, () => void>();

function webhookFor(id: string): Promise<void> {
  if (notified.has(id)) return Promise.resolve();
  return new Promise((resolve) => waiting.set(id, resolve));
}

beforeAll(async () => {
  [issuer, mallory] = await Promise.all([startTestIssuer({ name: 'Bcs' }), startTestIssuer({ name: 'Mallory' })]);
  const hook = express();
  hook.post('/eid-webhook', express.json(), (req, res) => {
    const id = eid.parseWebhook(req.headers, req.body);
    if (!id) {
      res.status(401).end();
      return;
    }
    notified.set(id, (notified.get(id) ?? 0) + 1);
    waiting.get(id)?.();
    res.status(204).end();
  });
  const hookServer = await listenOn(hook, 0, '127.0.0.1');
  closeWebhook = hookServer.close;
  fake = await startFakeEidVerifier({
    port: 0,
    // Both issuers' keys resolve (anyone can publish a DID); only one is accepted.
    issuerKeys: { [issuer.kid]: issuer.publicJwk, [mallory.kid]: mallory.publicJwk },
    statusListOrigins: [issuer.origin, mallory.origin],
    webhook: { url: `${hookServer.url}/eid-webhook`, apiKeyHeader: WEBHOOK_KEY.header, apiKeyValue: WEBHOOK_KEY.value, intervalMs: 20 },
    now: () => Date.now() + clockOffsetMs,
  });
  wallet = await createTestWallet({ resolveVerifierKey: (kid) => (kid === fake.verifierKey.kid ? fake.verifierKey : undefined) });
  eid = createEidVerifier({
    baseUrl: fake.url,
    acceptedIssuerDids: [issuer.did],
    vctValues: [BETA_ID_VCT, 'betaid-sdjwt'],
    webhookApiKey: WEBHOOK_KEY,
    pollInitialMs: 10,
    pollMaxMs: 40,
  });
});

afterAll(async () => {
  await Promise.all([fake?.close(), issuer?.close(), mallory?.close(), closeWebhook?.()]);
});

afterEach(() => {
  clockOffsetMs = 0;
});

/** The adapter starts a verification, the wallet answers it, the adapter reads it after the webhook. */
async function attempt(credential: string, opts?: PresentOptions, w: TestWallet = wallet) {
  const started = await eid.startVerification();
  const submission = await w.respond(started.deeplink, credential, opts);
  await webhookFor(started.verificationId);
  const result = await eid.result(started.verificationId, { afterWebhook: true });
  return { started, submission, result };
}

async function credentialFor(w: TestWallet = wallet, from: TestIssuer = issuer, opts?: Parameters<TestIssuer['issue']>[2]) {
  return (await from.issue(w.holderJwk, {}, opts)).credential;
}

async function managementView(started: StartedVerification): Promise<{ state: string; wallet_response?: Record<string, unknown> }> {
  const res = await fetch(`${fake.url}/management/api/verifications/${started.verificationId}`);
  return (await res.json()) as { state: string; wallet_response?: Record<string, unknown> };
}

const failedWith = (code: string): EidVerificationResult => ({ status: 'failed', code });

describe('a verified e-ID presentation (round trip)', () => {
  it('gives exactly the requested claims, the issuer and a hash of the verified result', async () => {
    const credential = await credentialFor();
    const { started, submission, result } = await attempt(credential);

    expect(submission.status).toBe(200);
    expect(result).toEqual({
      status: 'verified',
      claims: REQUESTED,
      issuer: issuer.did,
      vct: BETA_ID_VCT,
      presentationSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      verifiedAt: expect.any(String),
    });
    expect(Date.parse(started.expiresAt)).toBeGreaterThan(Date.now());
    // The verifier resolved only what was disclosed: no other business claim reached it.
    const view = await managementView(started);
    expect(view.state).toBe('SUCCESS');
    const subject = (view.wallet_response?.credential_subject_data as Record<string, Record<string, unknown>[]>).eid?.[0];
    expect(Object.keys(subject ?? {}).sort()).toEqual([...Object.keys(REQUESTED), 'cnf', 'exp', 'iat', 'iss', 'nbf', 'status', 'vct'].sort());
  });

  it('asks with a signed request object: DCQL for the four claims, encrypted answer, the verifier as audience', async () => {
    const started = await eid.startVerification();
    expect(started.deeplink).toMatch(/^swiyu-verify:\/\/\?client_id=decentralized_identifier%3A.+&request_uri=http/);
    const request = await wallet.fetchRequest(started.deeplink);
    expect(request.response_mode).toBe('direct_post.jwt');
    expect(request.client_id).toBe(fake.clientId);
    expect(request.dcql_query).toEqual({
      credentials: [
        {
          id: 'eid',
          format: 'dc+sd-jwt',
          meta: { vct_values: [BETA_ID_VCT, 'betaid-sdjwt'] },
          claims: [{ path: ['given_name'] }, { path: ['family_name'] }, { path: ['birth_date'] }, { path: ['personal_administrative_number'] }],
          require_cryptographic_holder_binding: true,
        },
      ],
    });
    expect(request.client_metadata?.jwks?.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ECDH-ES', kid: expect.any(String) });
  });

  it('keeps only the requested claims when the wallet discloses more', async () => {
    const { result, started } = await attempt(await credentialFor(), { extra: ['nationality', 'place_of_origin'] });
    expect(result).toMatchObject({ status: 'verified', claims: REQUESTED });
    expect(Object.keys((result as { claims: object }).claims)).toHaveLength(4);
    // The verifier itself did see them (the adapter drops them).
    const subject = ((await managementView(started)).wallet_response?.credential_subject_data as Record<string, Record<string, unknown>[]>).eid?.[0];
    expect(subject?.nationality).toBe('CH');
  });

  it('awaits the result by polling until it is there', async () => {
    const started = await eid.startVerification();
    const waited = eid.awaitResult(started.verificationId, { deadline: new Date(Date.now() + 10_000) });
    await wallet.respond(started.deeplink, await credentialFor());
    await expect(waited).resolves.toMatchObject({ status: 'verified', claims: REQUESTED });
  });
});

describe('creating a verification at the fake', () => {
  const create = (body: unknown) =>
    fetch(`${fake.url}/management/api/verifications`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const dcql = { credentials: [{ id: 'eid', format: 'dc+sd-jwt', meta: { vct_values: [BETA_ID_VCT] }, claims: [{ path: ['given_name'] }] }] };

  it('refuses what the real verifier refuses', async () => {
    expect((await create({ accepted_issuer_dids: [issuer.did], dcql_query: dcql })).status).toBe(200);
    expect((await create({ accepted_issuer_dids: [issuer.did] })).status).toBe(400);
    expect((await create({ dcql_query: dcql })).status).toBe(400);
    expect((await create({ accepted_issuer_dids: [], dcql_query: dcql })).status).toBe(400);
    const multiple = { credentials: [{ ...dcql.credentials[0], multiple: true }] };
    expect((await create({ accepted_issuer_dids: [issuer.did], dcql_query: multiple })).status).toBe(400);
    const noVct = { credentials: [{ ...dcql.credentials[0], meta: { vct_values: [] } }] };
    expect((await create({ accepted_issuer_dids: [issuer.did], dcql_query: noVct })).status).toBe(400);
    expect((await create({ accepted_issuer_dids: [issuer.did], dcql_query: { ...dcql, credential_sets: [] } })).status).toBe(400);
  });
});

describe('presentations the verifier refuses (FAILED with its error code)', () => {
  it('a credential from an issuer that is not accepted', async () => {
    const { submission, result } = await attempt(await credentialFor(wallet, mallory));
    expect(submission.status).toBe(400);
    expect(submission.body).toMatchObject({ error_code: 'issuer_not_accepted' });
    expect(result).toEqual(failedWith('issuer_not_accepted'));
  });

  it("an accepted issuer's name in iss does not help: trust goes by the kid (CD-008)", async () => {
    const { result } = await attempt(await credentialFor(wallet, mallory, { iss: issuer.did }));
    expect(result).toEqual(failedWith('issuer_not_accepted'));
  });

  it("a credential signed by another key under the accepted issuer's kid (wrong signature)", async () => {
    const { result } = await attempt(await credentialFor(wallet, mallory, { kid: issuer.kid, iss: issuer.did }));
    expect(result).toEqual(failedWith('malformed_credential'));
  });

  it('a disclosure tampered with (another birth date under the same salt)', async () => {
    const { result } = await attempt(await credentialFor(), { transformDisclosures: tamperDisclosure('birth_date', '1970-01-01') });
    expect(result).toEqual(failedWith('malformed_credential'));
  });

  it('a key-binding JWT with another nonce', async () => {
    const { result } = await attempt(await credentialFor(), { nonce: '00000000-0000-4000-8000-000000000000' });
    expect(result).toEqual(failedWith('missing_nonce'));
  });

  it('a key-binding JWT for another audience', async () => {
    const { result } = await attempt(await credentialFor(), { aud: 'decentralized_identifier:did:tdw:QmOther:other.example' });
    expect(result).toEqual(failedWith('holder_binding_mismatch'));
  });

  it('a key-binding JWT made too long ago (iat outside ±120 s)', async () => {
    const { result } = await attempt(await credentialFor(), { iat: Math.floor(Date.now() / 1000) - 600 });
    expect(result).toEqual(failedWith('holder_binding_mismatch'));
  });

  it('a disclosure taken out after the key binding was made (sd_hash)', async () => {
    const started = await eid.startVerification();
    const request = await wallet.fetchRequest(started.deeplink);
    const bound = await wallet.present(await credentialFor(), request, { extra: ['nationality'] });
    const claimOf = (part: string) => (JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown[])[1];
    const stripped = bound
      .split('~')
      .filter((part, i) => i === 0 || part.includes('.') || claimOf(part) !== 'nationality')
      .join('~');
    expect(stripped.split('~')).toHaveLength(bound.split('~').length - 1);
    await wallet.submit(request, stripped);
    await webhookFor(started.verificationId);
    expect(await eid.result(started.verificationId)).toEqual(failedWith('holder_binding_mismatch'));
  });

  it('no key binding at all', async () => {
    const { result } = await attempt(await credentialFor(), { noKeyBinding: true });
    expect(result).toEqual(failedWith('holder_binding_mismatch'));
  });

  it("another wallet presenting someone else's credential (KB-JWT not signed by the cnf key)", async () => {
    const thief = await createTestWallet({ resolveVerifierKey: (kid) => (kid === fake.verifierKey.kid ? fake.verifierKey : undefined) });
    const { result } = await attempt(await credentialFor(wallet), {}, thief);
    expect(result).toEqual(failedWith('holder_binding_mismatch'));
  });

  it('a revoked credential (status list entry 1)', async () => {
    const { credential, statusIdx } = await issuer.issue(wallet.holderJwk);
    issuer.setStatus(statusIdx, 1);
    const { result } = await attempt(credential);
    expect(result).toEqual(failedWith('credential_revoked'));
  });

  it('a suspended credential (status list entry 2)', async () => {
    const { credential, statusIdx } = await issuer.issue(wallet.holderJwk);
    issuer.setStatus(statusIdx, 2);
    const { result } = await attempt(credential);
    expect(result).toEqual(failedWith('credential_suspended'));
  });

  it('a status list without exp (the Beta-ID pitfall #394): "not valid"', async () => {
    issuer.omitStatusListExp(true);
    try {
      const { result } = await attempt(await credentialFor());
      expect(result).toEqual(failedWith('credential_revoked'));
    } finally {
      issuer.omitStatusListExp(false);
    }
  });

  it('an expired credential (exp passed)', async () => {
    const { result } = await attempt(await credentialFor(wallet, issuer, { exp: Math.floor(Date.now() / 1000) - 60 }));
    expect(result).toEqual(failedWith('jwt_expired'));
  });

  it('a vp_token replayed to a second verification (its nonce is the first one)', async () => {
    const first = await attempt(await credentialFor());
    expect(first.result.status).toBe('verified');

    const second = await eid.startVerification();
    const request = await wallet.fetchRequest(second.deeplink);
    const replay = await wallet.submit(request, first.submission.vpToken);
    await webhookFor(second.verificationId);
    expect(replay.status).toBe(400);
    expect(await eid.result(second.verificationId, { afterWebhook: true })).toEqual(failedWith('missing_nonce'));
    // And to the first one again: that session is closed.
    expect((await wallet.submit(first.submission.request, first.submission.vpToken)).status).toBe(410);
  });

  it('the holder declining', async () => {
    const started = await eid.startVerification();
    const request = await wallet.fetchRequest(started.deeplink);
    expect((await wallet.reject(request)).status).toBe(200);
    await webhookFor(started.verificationId);
    expect(await eid.result(started.verificationId)).toEqual(failedWith('client_rejected'));
  });
});

describe('answers the verifier leaves PENDING (the engine must end them itself)', () => {
  it('a presentation without the AVS number: bare 400, PENDING until the TTL (#477), then gone', async () => {
    const { started, submission, result } = await attempt(await credentialFor(), { omit: ['personal_administrative_number'] });

    expect(submission.status).toBe(400);
    expect(submission.body).not.toHaveProperty('error_code');
    expect(fake.internalState(started.verificationId)).toBe('IN_PROGRESS');
    // Read without the webhook, it looks like any pending verification ...
    expect(await eid.result(started.verificationId)).toEqual({ status: 'pending' });
    // ... but after the webhook, PENDING means the answer was refused.
    expect(result).toEqual(failedWith('presentation_not_accepted'));
    // Polling alone ends at the engine's deadline.
    expect(await eid.awaitResult(started.verificationId, { deadline: new Date(Date.now() + 80) })).toEqual(failedWith('deadline_exceeded'));
    // After the verifier's TTL the verification is gone.
    clockOffsetMs = 901_000;
    expect(await eid.result(started.verificationId)).toEqual(failedWith('verification_expired'));
  });

  it('a wrong state or an unknown JWE kid: refused before the session is claimed, so the wallet can try again', async () => {
    const started = await eid.startVerification();
    const request = await wallet.fetchRequest(started.deeplink);
    const vpToken = await wallet.present(await credentialFor(), request);

    expect((await wallet.submit(request, vpToken, { state: 'not-the-state' })).status).toBe(400);
    const foreignKey = {
      ...request,
      client_metadata: { ...request.client_metadata, jwks: { keys: [{ ...request.client_metadata!.jwks!.keys[0]!, kid: 'another-kid' }] } },
    };
    expect((await wallet.submit(foreignKey, vpToken)).status).toBe(400);
    expect(fake.internalState(started.verificationId)).toBe('PENDING');

    expect((await wallet.submit(request, vpToken)).status).toBe(200);
    await webhookFor(started.verificationId);
    expect(await eid.result(started.verificationId)).toMatchObject({ status: 'verified' });
  });

  it('the request object is gone once the verification is closed (410)', async () => {
    const { started } = await attempt(await credentialFor());
    await expect(wallet.fetchRequest(started.deeplink)).rejects.toThrow('HTTP 410');
  });
});
