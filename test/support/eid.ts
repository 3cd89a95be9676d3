// The e-ID side of a test stack: a test issuer of Beta-ID-shaped credentials, the fake
// generic verifier that trusts it, the engine's adapter to that verifier, and a helper that
// proves a person's identity through the API as the portal and the person's wallet do.
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { Express } from 'express';
import { startFakeEidVerifier, type FakeEidVerifier } from '../../fakes/eid-verifier/server';
import { createEidVerifier, type EidVerifier } from '../../infra/eid/verifier-client';
import { startFakeQca, type FakeQca } from '../../fakes/qca/server';
import type { IssuedPerson, SignOptions } from '../../fakes/qca/authority';
import { createQesVerifier, type QesVerifier } from '../../infra/qes/verify';
import type { Db } from '../../infra/db';
import type { CantonCode } from '../../domain/profiles';
import { insertTermsVersion } from './contracts';
import { seedDemoTerms } from '../../scripts/lib/demo-data';
import { isUniqueViolation } from '../../records/unique';
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
export async function startTestEid(
  opts: { webhookUrl?: string; verificationTtlSec?: number; attemptDeadlineMs?: number; statusListSize?: number } = {},
): Promise<TestEid> {
  const issuer = await startTestIssuer({ name: 'Stack', listSize: opts.statusListSize });
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

/** The qualified-signature side of a test stack: a test QCA serving its CRL, and signing as a person. */
export interface TestQes {
  qca: FakeQca;
  verifier: QesVerifier;
  /** A detached CAdES signature of `document` by this person (their certificate made once). */
  sign(document: Uint8Array, signer: { firstName: string; lastName: string }, opts?: SignOptions): Promise<string>;
  /** The person's certificate (to revoke it, say). */
  certificateOf(signer: { firstName: string; lastName: string }): Promise<IssuedPerson>;
  close(): Promise<void>;
}

export async function startTestQes(): Promise<TestQes> {
  const qca = await startFakeQca({ port: 0 });
  const verifier = createQesVerifier({ qualifiedCas: [qca.caPem] });
  const certs = new Map<string, Promise<IssuedPerson>>();
  const certificateOf = (s: { firstName: string; lastName: string }) => {
    const key = `${s.firstName}\u0000${s.lastName}`;
    if (!certs.has(key)) certs.set(key, qca.authority.issuePerson({ givenName: s.firstName, familyName: s.lastName }));
    return certs.get(key)!;
  };
  return {
    qca,
    verifier,
    certificateOf,
    sign: async (document, signer, opts) => qca.authority.sign(document, await certificateOf(signer), opts),
    close: () => qca.close(),
  };
}

const contractTermsOf = new WeakMap<Db, Map<CantonCode, Promise<{ version: string; sha256: string; text: string }>>>();

/**
 * The terms version applicants of a test stack sign: in Jura the demo's CG-2013-1 (the version
 * the test contracts are bound by, so it is never "newer" than theirs); elsewhere one of its own.
 */
export function contractTerms(db: Db, canton: CantonCode) {
  const byCanton = contractTermsOf.get(db) ?? new Map<CantonCode, Promise<{ version: string; sha256: string; text: string }>>();
  contractTermsOf.set(db, byCanton);
  const make = async () => {
    if (canton !== 'JU') return insertTermsVersion(db, { canton, effectiveOn: '2013-01-01', acceptanceDays: 0 });
    await seedDemoTerms(db, canton).catch((err: unknown) => {
      if (!isUniqueViolation(err)) throw err; // another suite's upsert came first
    });
    const v = await db.termsVersion.findUniqueOrThrow({ where: { version: 'CG-2013-1' } });
    return { version: v.version, sha256: v.documentSha256, text: Buffer.from(v.document).toString('utf8') };
  };
  if (!byCanton.has(canton)) byCanton.set(canton, make());
  return byCanton.get(canton)!;
}

export interface SignedApplicationOptions {
  canton?: CantonCode;
  /** Who signs the contract (default: the person): another person's certificate is an attack. */
  signer?: { firstName: string; lastName: string };
  sign?: SignOptions;
  prove?: ProveOptions;
  onBehalfOf?: string;
}

/**
 * An application as the portal files it: the person's e-ID proved through the API, the
 * contract's terms signed with the person's qualified certificate, their address and e-mail.
 */
export async function signedApplication(
  stack: { app: Express; eid: TestEid; qes: TestQes; db: Db },
  token: string,
  person: PersonClaims & { commune: string },
  email = `${randomUUID().slice(0, 8)}@example.ch`,
  o: SignedApplicationOptions = {},
) {
  const proof = await proveIdentity(stack.app, stack.eid, token, person, o.prove);
  if (proof.view.status !== 'verified') throw new Error(`the e-ID verification ${proof.view.status}: ${proof.view.failureCode}`);
  const terms = await contractTerms(stack.db, o.canton ?? 'JU');
  return {
    identityVerificationId: proof.verificationId,
    address: { street: 'Rue de la Préfecture 2', postCode: '2800', locality: 'Delémont' },
    commune: person.commune,
    email,
    contractSignature: {
      documentSha256: terms.sha256,
      signatureValue: await stack.qes.sign(Buffer.from(terms.text), o.signer ?? person, o.sign),
      termsVersion: terms.version,
    },
    ...(o.onBehalfOf ? { onBehalfOf: o.onBehalfOf } : {}),
  };
}
