// The e-ID side of a test stack: a test issuer of Beta-ID-shaped credentials, the fake
// generic verifier that trusts it, the engine's adapter to that verifier, and a helper that
// proves a person's identity through the API as the portal and the person's wallet do.
import request from 'supertest';
import type { Express } from 'express';
import { startFakeEidVerifier, type FakeEidVerifier } from '../../fakes/eid-verifier/server';
import { createEidVerifier, type EidVerifier } from '../../infra/eid/verifier-client';
import {
  BETA_ID_VCT,
  createTestWallet,
  startTestIssuer,
  type BetaIdClaims,
  type IssueOptions,
  type PresentOptions,
  type TestIssuer,
  type TestWallet,
} from './eid-wallet';

export const EID_WEBHOOK_KEY = { header: 'x-verifier-key', value: 'a-static-webhook-key-for-tests' };

export interface TestEid {
  issuer: TestIssuer;
  verifier: FakeEidVerifier;
  /** The engine's adapter, as the API uses it. */
  adapter: EidVerifier;
  wallet(): Promise<TestWallet>;
  close(): Promise<void>;
}

/** `webhookUrl`: where the fake verifier posts its events (the API's /v1/eid/verifier-events). */
export async function startTestEid(opts: { webhookUrl?: string; verificationTtlSec?: number; attemptDeadlineMs?: number } = {}): Promise<TestEid> {
  const issuer = await startTestIssuer({ name: 'Stack' });
  const verifier = await startFakeEidVerifier({
    port: 0,
    issuerKeys: { [issuer.kid]: issuer.publicJwk },
    statusListOrigins: [issuer.origin],
    verificationTtlSec: opts.verificationTtlSec,
    webhook: opts.webhookUrl ? { url: opts.webhookUrl, apiKeyHeader: EID_WEBHOOK_KEY.header, apiKeyValue: EID_WEBHOOK_KEY.value, intervalMs: 50 } : undefined,
  });
  const adapter = createEidVerifier({
    baseUrl: verifier.url,
    acceptedIssuerDids: [issuer.did],
    vctValues: [BETA_ID_VCT],
    webhookApiKey: EID_WEBHOOK_KEY,
    verifierTtlSec: opts.verificationTtlSec,
    attemptDeadlineMs: opts.attemptDeadlineMs,
  });
  return {
    issuer,
    verifier,
    adapter,
    wallet: () => createTestWallet({ resolveVerifierKey: (kid) => (kid === verifier.verifierKey.kid ? verifier.verifierKey : undefined) }),
    async close() {
      await verifier.close();
      await issuer.close();
    },
  };
}

export interface PersonClaims {
  firstName: string;
  lastName: string;
  birthDate: string;
  avsNumber: string;
}

/** What a person's e-ID says (the Beta-ID's claims, all strings). */
export function eidClaimsOf(p: PersonClaims, today = new Date().toISOString().slice(0, 10)): Partial<BetaIdClaims> {
  const age = Number(today.slice(0, 4)) - Number(p.birthDate.slice(0, 4)) - (today.slice(5) < p.birthDate.slice(5) ? 1 : 0);
  return {
    given_name: p.firstName,
    family_name: p.lastName,
    birth_date: p.birthDate,
    age_birth_year: p.birthDate.slice(0, 4),
    age_over_16: String(age >= 16),
    age_over_18: String(age >= 18),
    age_over_65: String(age >= 65),
    personal_administrative_number: p.avsNumber,
  };
}

export interface ProveOptions {
  /** The credential's issuance knobs (expired, another kid, …) and the wallet's presentation knobs. */
  issue?: IssueOptions;
  present?: PresentOptions;
  /** Present this credential (someone else's, say) instead of one issued to this wallet. */
  credential?: (wallet: TestWallet) => Promise<string>;
}

/**
 * The portal starts a verification for the signed-in person, the person's wallet answers
 * it with their credential, the portal waits for the result: the verification as the API
 * then shows it.
 */
export async function proveIdentity(app: Express, eid: TestEid, token: string, person: PersonClaims, o: ProveOptions = {}) {
  const auth = { Authorization: `Bearer ${token}` };
  const started = await request(app).post('/v1/identity-verifications').set(auth);
  if (started.status !== 201) throw new Error(`start a verification: ${started.status} ${JSON.stringify(started.body)}`);
  const wallet = await eid.wallet();
  const credential = o.credential ? await o.credential(wallet) : (await eid.issuer.issue(wallet.holderJwk, eidClaimsOf(person), o.issue)).credential;
  const submission = await wallet.respond(started.body.deeplink as string, credential, o.present);
  const read = await request(app).get(`/v1/identity-verifications/${started.body.verificationId}?wait=5`).set(auth);
  if (read.status !== 200) throw new Error(`read a verification: ${read.status} ${JSON.stringify(read.body)}`);
  return { verificationId: started.body.verificationId as string, view: read.body as { status: string; failureCode?: string }, submission, wallet, credential };
}
