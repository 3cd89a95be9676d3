// A test issuer of Beta-ID-shaped SD-JWT VCs (the e-ID blueprint: claim names of
// swiyu-admin-ch.github.io `_cookbooks/how-to-use-beta-id.md`, profile of `swiss-profile-vc.md`)
// with a token status list it serves over HTTP and can revoke in, and a holder wallet that
// answers a verification as swiyu-generic-test-wallet does (src/app/services/oidvp-service.ts,
// pages/credential-verification createAndSignPresentation): it fetches the request object,
// discloses only the requested claims, binds them with a KB-JWT and posts the answer.
// The knobs (another nonce or aud, a tampered disclosure, a missing claim) are the attacks the
// verifier must refuse.
import { digest, ES256, generateSalt } from '@sd-jwt/crypto-nodejs';
import { createHeaderAndPayload, StatusList } from '@sd-jwt/jwt-status-list';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import { Disclosure } from '@sd-jwt/utils';
import express from 'express';
import { createHash, randomUUID } from 'node:crypto';
import {
  CompactEncrypt,
  compactVerify,
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  importJWK,
  SignJWT,
  type CryptoKey,
  type JWK,
  type KeyObject,
} from 'jose';
import { finishApp, listenOn } from '../../fakes/http';

type PrivateKey = CryptoKey | KeyObject;
const hasher = { alg: 'sha-256', hasher: (data: string | ArrayBuffer, alg: string) => digest(data, alg) };

/** The Beta-ID's business claims (all strings, as in the BCS sample and its schema). */
export interface BetaIdClaims {
  given_name: string;
  family_name: string;
  birth_date: string;
  age_birth_year: string;
  age_over_16: string;
  age_over_18: string;
  age_over_65: string;
  personal_administrative_number: string;
  nationality: string;
  sex: string;
  place_of_origin: string;
  birth_place: string;
  document_number: string;
  issuance_date: string;
  expiry_date: string;
  issuing_authority: string;
  issuing_country: string;
}

/** Adèle of the demo registers (fake person), as her Beta-ID would say it. */
export const ADELE: BetaIdClaims = {
  given_name: 'Adèle',
  family_name: 'Exemple',
  birth_date: '1985-03-21',
  age_birth_year: '1985',
  age_over_16: 'true',
  age_over_18: 'true',
  age_over_65: 'false',
  personal_administrative_number: '756.1234.5678.04',
  nationality: 'CH',
  sex: '2',
  place_of_origin: 'Delémont JU',
  birth_place: 'Delémont',
  document_number: 'BETA-ID-TEST0001',
  issuance_date: '2026-01-05',
  expiry_date: '2031-01-04',
  issuing_authority: 'Test issuer',
  issuing_country: 'CH',
};

export const BETA_ID_VCT = 'urn:vct:ch.admin.bcs.betaid';

export interface IssueOptions {
  vct?: string;
  /** Hard validity (`exp`), in seconds since the epoch; default one year from now. */
  exp?: number;
  /** The status list index; default the next free one. */
  statusIdx?: number;
  /** Forgeries: another header kid or `iss` than this issuer's own (CD-008). */
  kid?: string;
  iss?: string;
}

export interface TestIssuer {
  did: string;
  kid: string;
  publicJwk: JWK;
  /** The status list's URL (`status.status_list.uri` in the credentials). */
  statusListUri: string;
  /** The origin the status list is served from (the verifier's accepted registry host). */
  origin: string;
  issue(holderJwk: JWK, claims?: Partial<BetaIdClaims>, opts?: IssueOptions): Promise<{ credential: string; statusIdx: number }>;
  /** 0 valid, 1 revoked (INVALID), 2 suspended. */
  setStatus(idx: number, value: 0 | 1 | 2): void;
  /** The BCS's list had no `exp` (#394): makes every check of this list fail. */
  omitStatusListExp(omit: boolean): void;
  close(): Promise<void>;
}

/** An ES256 issuer with a did:tdw-shaped DID and a 2-bit status list served on loopback. */
export async function startTestIssuer(opts: { name?: string } = {}): Promise<TestIssuer> {
  const did = `did:tdw:QmTest${opts.name ?? 'Issuer'}:issuer.localhost:api:v1:did:${randomUUID()}`;
  const kid = `${did}#assert-key-01`;
  const { privateKey, publicKey } = await ES256.generateKeyPair();
  const listSize = 128;
  const list = new StatusList(new Array<number>(listSize).fill(0), 2);
  let nextIdx = 0;
  let withExp = true;
  const listPath = `/api/v1/statuslist/${randomUUID()}.jwt`;

  const app = express();
  app.get(listPath, async (_req, res) => {
    const now = Math.floor(Date.now() / 1000);
    const { header, payload } = createHeaderAndPayload(
      list,
      { iss: did, sub: statusListUri, iat: now, ...(withExp ? { exp: now + 3600 } : {}), ttl: 60 },
      { alg: 'ES256', typ: 'statuslist+jwt', kid, profile_version: 'swiss-profile-vc:1.0.0' },
    );
    const token = await new SignJWT(payload).setProtectedHeader(header).sign(await importJWK(privateKey, 'ES256'));
    res.type('application/statuslist+jwt').send(token);
  });
  const served = await listenOn(finishApp(app), 0, '127.0.0.1');
  const statusListUri = `${served.url}${listPath}`;

  const sdjwt = new SDJwtVcInstance({
    signer: await ES256.getSigner(privateKey),
    signAlg: 'ES256',
    hasher: hasher.hasher,
    hashAlg: 'sha-256',
    saltGenerator: generateSalt,
  });

  return {
    did,
    kid,
    publicJwk: publicKey as JWK,
    statusListUri,
    origin: served.url,
    async issue(holderJwk, claims = {}, issueOpts = {}) {
      const statusIdx = issueOpts.statusIdx ?? nextIdx++;
      const now = Math.floor(Date.now() / 1000);
      const business = { ...ADELE, ...claims };
      const credential = await sdjwt.issue(
        {
          ...business,
          iss: issueOpts.iss ?? did,
          iat: now,
          nbf: now - 60,
          exp: issueOpts.exp ?? now + 365 * 24 * 3600,
          vct: issueOpts.vct ?? BETA_ID_VCT,
          cnf: { jwk: holderJwk },
          status: { status_list: { idx: statusIdx, uri: statusListUri, type: 'SwissTokenStatusList-1.0' } },
        },
        // Every business claim selectively disclosable, none permanently (swiss-profile-vc).
        { _sd: Object.keys(business) as (keyof BetaIdClaims)[] },
        { header: { kid: issueOpts.kid ?? kid, profile_version: 'swiss-profile-vc:1.0.0' } },
      );
      return { credential, statusIdx };
    },
    setStatus(idx, value) {
      list.setStatus(idx, value);
    },
    omitStatusListExp(omit) {
      withExp = !omit;
    },
    close: served.close,
  };
}

/** What the wallet read from the request object (its verified payload). */
export interface RequestObject {
  client_id: string;
  nonce: string;
  state: string;
  response_uri: string;
  response_mode: 'direct_post' | 'direct_post.jwt';
  dcql_query: { credentials: { id: string; claims?: { path: (string | number | null)[] }[] }[] };
  client_metadata?: { jwks?: { keys: (JWK & { kid?: string; alg?: string })[] }; encrypted_response_enc_values_supported?: string[] };
  [k: string]: unknown;
}

export interface PresentOptions {
  /** Claims to leave out although requested (a wallet holding less than asked). */
  omit?: string[];
  /** Extra claims to disclose although not requested (over-disclosure). */
  extra?: string[];
  /** KB-JWT overrides: another audience, nonce or issue time (seconds). */
  aud?: string;
  nonce?: string;
  iat?: number;
  /** Changes the chosen disclosures before they are bound (a tampered claim value). */
  transformDisclosures?: (disclosures: string[]) => string[];
  /** Leaves the KB-JWT out (`<issuer-jwt>~<disclosures>~`). */
  noKeyBinding?: boolean;
}

export interface Submission {
  status: number;
  body: unknown;
}

export interface TestWallet {
  /** The holder's public key (the credential's `cnf.jwk`). */
  holderJwk: JWK;
  /** Follows a deeplink (`swiyu-verify://?client_id=…&request_uri=…`) or a request URI. */
  fetchRequest(deeplinkOrUri: string): Promise<RequestObject>;
  present(credential: string, request: RequestObject, opts?: PresentOptions): Promise<string>;
  submit(request: RequestObject, vpToken: string, opts?: { state?: string; credentialId?: string }): Promise<Submission>;
  reject(request: RequestObject, error?: string): Promise<Submission>;
  /** fetchRequest + present + submit. */
  respond(deeplink: string, credential: string, opts?: PresentOptions): Promise<Submission & { vpToken: string; request: RequestObject }>;
}

/**
 * A holder wallet. `resolveVerifierKey` stands for resolving the verifier DID: the wallet checks
 * that client_id (less `decentralized_identifier:`) is the DID of the JAR's kid and verifies the
 * JAR with that key (swiss-profile-verification §5).
 */
export async function createTestWallet(opts: { resolveVerifierKey: (kid: string) => JWK | undefined }): Promise<TestWallet> {
  const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
  const holderJwk = await exportJWK(publicKey);
  const holderKey: PrivateKey = privateKey;

  async function fetchRequest(deeplinkOrUri: string): Promise<RequestObject> {
    const link = new URL(deeplinkOrUri);
    const requestUri = link.protocol === 'http:' || link.protocol === 'https:' ? deeplinkOrUri : link.searchParams.get('request_uri');
    if (!requestUri) throw new Error('the link has no request_uri');
    const res = await fetch(requestUri, { headers: { accept: 'application/oauth-authz-req+jwt' } });
    if (!res.ok) throw new Error(`request object: HTTP ${res.status}`);
    const jar = (await res.text()).trim();
    const header = decodeProtectedHeader(jar);
    if (header.typ !== 'oauth-authz-req+jwt' || header.alg !== 'ES256' || typeof header.kid !== 'string') throw new Error('not a signed request object');
    const key = opts.resolveVerifierKey(header.kid);
    if (!key) throw new Error('the verifier key does not resolve');
    const { payload } = await compactVerify(jar, await importJWK(key, 'ES256'));
    const request = JSON.parse(new TextDecoder().decode(payload)) as RequestObject;
    const clientDid = request.client_id.replace(/^decentralized_identifier:/, '');
    if (clientDid !== header.kid.split('#')[0]) throw new Error('client_id does not match the request object signer');
    const linkClientId = link.searchParams.get('client_id');
    if (linkClientId && linkClientId !== request.client_id) throw new Error('the link names another client_id');
    return request;
  }

  async function present(credential: string, request: RequestObject, p: PresentOptions = {}): Promise<string> {
    const [issuerJwt, ...rest] = credential.split('~');
    const held = rest.filter((s) => s !== '');
    const requested = new Set((request.dcql_query.credentials[0]?.claims ?? []).map((c) => String(c.path[0])));
    for (const name of p.omit ?? []) requested.delete(name);
    for (const name of p.extra ?? []) requested.add(name);
    const chosen: string[] = [];
    for (const encoded of held) {
      const d = await Disclosure.fromEncode(encoded, hasher);
      if (d.key !== undefined && requested.has(d.key)) chosen.push(encoded);
    }
    const disclosures = p.transformDisclosures ? p.transformDisclosures(chosen) : chosen;
    const presented = `${[issuerJwt, ...disclosures].join('~')}~`;
    if (p.noKeyBinding) return presented;
    const kbJwt = await new SignJWT({ sd_hash: createHash('sha256').update(presented, 'ascii').digest('base64url'), nonce: p.nonce ?? request.nonce })
      .setProtectedHeader({ alg: 'ES256', typ: 'kb+jwt' })
      .setAudience(p.aud ?? request.client_id)
      .setIssuedAt(p.iat ?? Math.floor(Date.now() / 1000))
      .sign(holderKey);
    return `${presented}${kbJwt}`;
  }

  async function post(request: RequestObject, form: Record<string, string>): Promise<Submission> {
    const res = await fetch(request.response_uri, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'SWIYU-API-Version': '2' },
      body: new URLSearchParams(form).toString(),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: kept as text
    }
    return { status: res.status, body };
  }

  async function submit(request: RequestObject, vpToken: string, s: { state?: string; credentialId?: string } = {}): Promise<Submission> {
    const credentialId = s.credentialId ?? request.dcql_query.credentials[0]?.id ?? 'credential_1';
    const answer = { vp_token: { [credentialId]: [vpToken] }, state: s.state ?? request.state };
    if (request.response_mode !== 'direct_post.jwt') return post(request, { vp_token: JSON.stringify(answer.vp_token), state: answer.state });
    const key = request.client_metadata?.jwks?.keys[0];
    const enc = request.client_metadata?.encrypted_response_enc_values_supported?.[0];
    if (!key?.alg || !enc) throw new Error('the request object offers no encryption key');
    const jwe = await new CompactEncrypt(new TextEncoder().encode(JSON.stringify(answer)))
      .setProtectedHeader({ alg: key.alg, enc, typ: 'JWT', kid: key.kid })
      .encrypt(await importJWK(key, key.alg));
    return post(request, { response: jwe });
  }

  return {
    holderJwk,
    fetchRequest,
    present,
    submit,
    reject: (request, error = 'access_denied') => post(request, { error, error_description: 'The holder declined', state: request.state }),
    async respond(deeplink, credential, p) {
      const request = await fetchRequest(deeplink);
      const vpToken = await present(credential, request, p);
      return { ...(await submit(request, vpToken)), vpToken, request };
    },
  };
}

/** A disclosure of `claim` with another value (same salt): its digest is no longer in `_sd`. */
export function tamperDisclosure(claim: string, value: unknown): (disclosures: string[]) => string[] {
  return (disclosures) =>
    disclosures.map((encoded) => {
      const [salt, name] = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8')) as [string, string, unknown];
      return name === claim ? Buffer.from(JSON.stringify([salt, name, value])).toString('base64url') : encoded;
    });
}
