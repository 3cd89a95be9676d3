// The electronic identity proof (Art. 3) as the portal and the person's wallet meet it: the
// API starts a verification at the (fake) generic verifier, the test wallet presents an
// SD-JWT VC over OpenID4VP, the result comes by webhook or by polling. And the attacker's
// requests: someone else's presentation, a forged or replayed one, typed values that differ
// from the e-ID, a second sign-in for the same person, a weak sign-in. Nothing is stored for them.
import request from 'supertest';
import { ADELE, startTestIssuer, tamperDisclosure } from '../support/eid-wallet';
import { EID_WEBHOOK_KEY, eidClaimsOf, proveIdentity } from '../support/eid';
import { freshAvs } from '../support/applications';
import { startStack, waitFor, type Stack } from '../support/stack';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ eidWebhook: true });
});
afterAll(async () => {
  await stack?.stop();
});

const bearer = (t: string) => ({ Authorization: `Bearer ${t}` });
const citizen = (sub: string, acr?: string) => stack.token({ role: 'citizen', sub, acr });
const person = (over: Partial<{ firstName: string; lastName: string; birthDate: string; avsNumber: string }> = {}) => ({
  firstName: 'Adèle',
  lastName: 'Preuve',
  birthDate: '1985-03-21',
  avsNumber: freshAvs(),
  ...over,
});

/** An application body as the portal sends it, up to the identity (the signature is not reached). */
const body = (verificationId: string, extra: Record<string, unknown> = {}) => ({
  identityVerificationId: verificationId,
  address: { street: 'Rue de la Préfecture 2', postCode: '2800', locality: 'Delémont' },
  commune: 'Delémont',
  email: 'preuve@example.ch',
  contractSignature: { documentSha256: 'a'.repeat(64), signatureValue: 'MIIBnotReachedBecauseTheIdentityFailsFirst==', termsVersion: 'CG-2013-1' },
  ...extra,
});
const apply = async (token: string, b: object) => request(stack.app).post('/v1/onboarding/applications').set(bearer(token)).send(b);
const applicationsOf = (sub: string) => stack.db.onboardingApplication.count({ where: { applicantSub: sub } });

describe('a verification', () => {
  it('is verified by the webhook: the portal reads whom it proved (not the AVS number)', async () => {
    const token = await citizen('proof-webhook');
    const started = await request(stack.app).post('/v1/identity-verifications').set(bearer(token));
    expect(started.status).toBe(201);
    expect(started.body).toMatchObject({ status: 'pending', deeplink: expect.stringMatching(/^swiyu-verify:\/\/\?client_id=/) });
    const wallet = await stack.eid.wallet();
    const p = person();
    const { credential } = await stack.eid.issuer.issue(wallet.holderJwk, eidClaimsOf(p));
    expect((await wallet.respond(started.body.deeplink, credential)).status).toBe(200);

    // No read by the portal: the verifier's webhook makes the engine read the result.
    const row = await waitFor(
      () => stack.db.identityVerification.findUniqueOrThrow({ where: { id: started.body.verificationId } }),
      (r) => r.status !== 'pending',
    );
    expect(row).toMatchObject({
      status: 'verified',
      issuer: stack.eid.issuer.did,
      webhookAt: expect.any(Date),
      presentationSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    const read = await request(stack.app).get(`/v1/identity-verifications/${row.id}`).set(bearer(token));
    expect(read.body).toEqual({
      verificationId: row.id,
      status: 'verified',
      expiresAt: expect.any(String),
      identity: { firstName: 'Adèle', lastName: 'Preuve', birthDate: '1985-03-21' },
    });
    expect(JSON.stringify(read.body)).not.toContain(p.avsNumber);

    // Someone else's verification is not there for another sign-in.
    expect(
      (
        await request(stack.app)
          .get(`/v1/identity-verifications/${row.id}`)
          .set(bearer(await citizen('proof-other')))
      ).status,
    ).toBe(404);
  });

  it("refuses a webhook without the verifier's key", async () => {
    const res = await request(stack.app)
      .post('/v1/eid/verifier-events')
      .send({ verification_id: '8f1c0c8e-0f6c-4c1e-9c55-2a0f3b1a2b3c', timestamp: new Date().toISOString() });
    expect(res.status).toBe(401);
    const keyed = await request(stack.app)
      .post('/v1/eid/verifier-events')
      .set(EID_WEBHOOK_KEY.header, EID_WEBHOOK_KEY.value)
      .send({ verification_id: '8f1c0c8e-0f6c-4c1e-9c55-2a0f3b1a2b3c', timestamp: new Date().toISOString() });
    expect(keyed.status).toBe(204); // not one of ours: taken, so the verifier stops retrying
  });

  it('ends at the engine’s deadline when no presentation came, and the person can start again', async () => {
    const token = await citizen('proof-late');
    const started = await request(stack.app).post('/v1/identity-verifications').set(bearer(token));
    // The deadline passes (the verifier would say PENDING until its own TTL).
    await stack.db.identityVerification.update({ where: { id: started.body.verificationId }, data: { deadline: new Date(Date.now() - 1000) } });
    const read = await request(stack.app).get(`/v1/identity-verifications/${started.body.verificationId}`).set(bearer(token));
    expect(read.body).toMatchObject({ status: 'expired', failureCode: 'deadline_exceeded' });
    expect(read.body.deeplink).toBeUndefined();
    const again = await proveIdentity(stack.app, stack.eid, token, person());
    expect(again.view.status).toBe('verified');
  });

  it('ends a presentation the verifier left pending after its webhook (swiyu-verifier #477) as not accepted', async () => {
    const token = await citizen('proof-missing-claim');
    const { verificationId } = await proveIdentity(stack.app, stack.eid, token, person(), { present: { omit: ['personal_administrative_number'] } });
    const row = await waitFor(
      () => stack.db.identityVerification.findUniqueOrThrow({ where: { id: verificationId } }),
      (r) => r.status !== 'pending',
    );
    expect(row).toMatchObject({ status: 'failed', failureCode: 'presentation_not_accepted', claims: null });
  });

  it('does not keep the claims of a proof nobody used within its validity', async () => {
    const token = await citizen('proof-unused');
    const { verificationId } = await proveIdentity(stack.app, stack.eid, token, person());
    // Its validity (30 minutes by default) passes unused; the next verification anyone starts clears it.
    await stack.db.identityVerification.update({ where: { id: verificationId }, data: { verifiedAt: new Date(Date.now() - 31 * 60_000) } });
    await request(stack.app)
      .post('/v1/identity-verifications')
      .set(bearer(await citizen('proof-someone')));
    expect(await stack.db.identityVerification.findUniqueOrThrow({ where: { id: verificationId } })).toMatchObject({
      claims: null,
      status: 'expired',
      failureCode: 'proof_unused',
    });
    const res = await apply(token, body(verificationId));
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('identity_not_proven');
  });

  it('lets at most five wait at once', async () => {
    const token = await citizen('proof-many');
    for (let i = 0; i < 5; i += 1) expect((await request(stack.app).post('/v1/identity-verifications').set(bearer(token))).status).toBe(201);
    const sixth = await request(stack.app).post('/v1/identity-verifications').set(bearer(token));
    expect(sixth.status).toBe(429);
    expect(sixth.body.error.code).toBe('too_many_verifications');
  });
});

describe('the attacker', () => {
  it("cannot present someone else's credential: it is bound to the holder's key (a minor with an adult's e-ID)", async () => {
    const token = await citizen('proof-minor');
    const adultWallet = await stack.eid.wallet();
    const { view, verificationId } = await proveIdentity(stack.app, stack.eid, token, person(), {
      credential: async () => (await stack.eid.issuer.issue(adultWallet.holderJwk, eidClaimsOf(person({ birthDate: '1970-01-01' })))).credential,
    });
    expect(view).toMatchObject({ status: 'failed', failureCode: 'holder_binding_mismatch' });
    const res = await apply(token, body(verificationId));
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({
      code: 'identity_not_proven',
      details: [{ path: 'identityVerificationId', issue: expect.stringContaining('failed') }],
    });
    expect(await applicationsOf('proof-minor')).toBe(0);
  });

  it('cannot forge a credential: an issuer not accepted, a disclosure changed', async () => {
    const token = await citizen('proof-forger');
    const mallory = await startTestIssuer({ name: 'Mallory' });
    try {
      const forged = await proveIdentity(stack.app, stack.eid, token, person(), {
        credential: async (w) => (await mallory.issue(w.holderJwk, eidClaimsOf(person()))).credential,
      });
      // The fake resolves no key for Mallory's kid (the real one would not find it trusted either).
      expect(forged.view).toMatchObject({ status: 'failed', failureCode: 'public_key_of_issuer_unresolvable' });
    } finally {
      await mallory.close();
    }
    const tampered = await proveIdentity(stack.app, stack.eid, token, person(), {
      present: { transformDisclosures: tamperDisclosure('family_name', 'Autre') },
    });
    expect(tampered.view).toMatchObject({ status: 'failed', failureCode: 'malformed_credential' });
    const expired = await proveIdentity(stack.app, stack.eid, token, person(), { issue: { exp: Math.floor(Date.now() / 1000) - 60 } });
    expect(expired.view).toMatchObject({ status: 'failed', failureCode: 'jwt_expired' });
  });

  it('cannot replay a presentation to another verification (its nonce is the first one’s)', async () => {
    const token = await citizen('proof-replay');
    const first = await proveIdentity(stack.app, stack.eid, token, person());
    expect(first.view.status).toBe('verified');
    const second = await request(stack.app).post('/v1/identity-verifications').set(bearer(token));
    const wallet = await stack.eid.wallet();
    const replayed = await wallet.submit(await wallet.fetchRequest(second.body.deeplink), first.submission.vpToken);
    expect(replayed.status).toBe(400);
    const read = await request(stack.app).get(`/v1/identity-verifications/${second.body.verificationId}?wait=3`).set(bearer(token));
    expect(read.body).toMatchObject({ status: 'failed', failureCode: 'missing_nonce' });
  });

  it("cannot use another person's verification, nor type an identity that differs from the e-ID", async () => {
    const owner = await citizen('proof-owner');
    const p = person();
    const { verificationId } = await proveIdentity(stack.app, stack.eid, owner, p);

    const thief = await citizen('proof-thief');
    const stolen = await apply(thief, body(verificationId));
    expect(stolen.status).toBe(422);
    expect(stolen.body.error).toMatchObject({ code: 'identity_not_proven', details: [{ path: 'identityVerificationId', issue: 'unknown verification' }] });

    const differing = await apply(
      owner,
      body(verificationId, { avsNumber: ADELE.personal_administrative_number, lastName: 'Autre', firstName: 'adèle', birthDate: p.birthDate }),
    );
    expect(differing.status).toBe(422);
    expect(differing.body.error).toMatchObject({
      code: 'identity_mismatch',
      details: [
        { path: 'lastName', issue: 'differs from the verified e-ID' },
        { path: 'avsNumber', issue: 'differs from the verified e-ID' },
      ],
    });
    // Nothing stored, and the proof is still unused.
    expect(await applicationsOf('proof-owner')).toBe(0);
    expect(await applicationsOf('proof-thief')).toBe(0);
    expect(await stack.db.identityVerification.findUniqueOrThrow({ where: { id: verificationId } })).toMatchObject({
      usedByApplication: null,
      status: 'verified',
    });
  });

  it('cannot register a person already registered under another sign-in (one e-ID subject, one person)', async () => {
    const p = person();
    await stack.db.registeredUser.create({
      data: {
        id: `user-bound-${p.avsNumber}`,
        sub: 'proof-first-subject',
        avsNumber: p.avsNumber,
        lastName: p.lastName,
        firstName: p.firstName,
        email: 'first@example.ch',
        street: 'Rue 1',
        postCode: '2800',
        locality: 'Delémont',
        commune: 'Delémont',
        birthDate: p.birthDate,
        canton: 'JU',
        applicationId: `bound-${p.avsNumber}`,
      },
    });
    const second = await citizen('proof-second-subject');
    const { verificationId } = await proveIdentity(stack.app, stack.eid, second, p);
    const res = await apply(second, body(verificationId));
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('identity_bound_elsewhere');
    expect(await applicationsOf('proof-second-subject')).toBe(0);
  });

  it('cannot onboard with a password-level sign-in, nor with a token without acr: the e-ID level is needed', async () => {
    const weak = await citizen('proof-weak', 'urn:guichet:acr:password');
    const start = await request(stack.app).post('/v1/identity-verifications').set(bearer(weak));
    expect(start.status).toBe(401);
    expect(start.headers['www-authenticate']).toBe('Bearer error="insufficient_user_authentication", acr_values="urn:guichet:acr:eid"');
    expect(start.body.error).toMatchObject({
      code: 'insufficient_user_authentication',
      details: [{ path: 'acr', issue: 'urn:guichet:acr:password is not enough' }],
    });
    // Reading needs only the signing-in strength.
    expect((await request(stack.app).get('/v1/terms-versions').set(bearer(weak))).status).toBe(200);

    const now = Math.floor(Date.now() / 1000);
    const noAcr = await stack.issuer.signClaims({
      iss: stack.issuer.issuer,
      aud: stack.issuer.audience,
      sub: 'proof-no-acr',
      role: 'citizen',
      iat: now,
      exp: now + 600,
    });
    const res = await request(stack.app).get('/v1/terms-versions').set(bearer(noAcr));
    expect(res.status).toBe(401);
    expect(res.body.error.details).toEqual([{ path: 'acr', issue: 'the token has no acr' }]);
  });
});
