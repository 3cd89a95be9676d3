// A holder wallet that answers a verification as swiyu-generic-test-wallet does
// (src/app/services/oidvp-service.ts, pages/credential-verification createAndSignPresentation):
// it fetches the request object, checks who signed it, discloses only the requested claims,
// binds them with a KB-JWT and posts the answer (direct_post.jwt: an ECDH-ES/A256GCM JWE).
// It stands for the swiyu wallet in the tests and, through scripts/wallet.ts, in demos.
// The knobs (another nonce or aud, a tampered disclosure, a missing claim) are the attacks the
// verifier must refuse.
import { digest } from '@sd-jwt/crypto-nodejs';
import { Disclosure } from '@sd-jwt/utils';
import { createHash } from 'node:crypto';
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

type PrivateKey = CryptoKey | KeyObject;
const hasher = { alg: 'sha-256', hasher: (data: string | ArrayBuffer, alg: string) => digest(data, alg) };

/** What the wallet refuses or could not do: a message fit to show the holder (no claim value in it). */
export class WalletError extends Error {
  override readonly name = 'WalletError';
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

/** The request object's URL in a deeplink (`swiyu-verify://?client_id=…&request_uri=…`), or the URL itself. */
export function requestUriOf(deeplinkOrUri: string): URL {
  let link: URL;
  try {
    link = new URL(deeplinkOrUri.trim());
  } catch {
    throw new WalletError('not a link: expected swiyu-verify://?client_id=…&request_uri=… or the request object URL');
  }
  const requestUri = link.protocol === 'http:' || link.protocol === 'https:' ? link.href : link.searchParams.get('request_uri');
  if (!requestUri) throw new WalletError('the link has no request_uri');
  try {
    const url = new URL(requestUri);
    if (url.protocol === 'http:' || url.protocol === 'https:') return url;
  } catch {
    // said below
  }
  throw new WalletError('the request_uri of the link is not an http(s) URL');
}

export interface TestWalletOptions {
  /**
   * Stands for resolving the verifier DID: the wallet checks that client_id (less
   * `decentralized_identifier:`) is the DID of the JAR's kid and verifies the JAR with the key
   * this gives for that kid (swiss-profile-verification §5).
   */
  resolveVerifierKey: (kid: string) => JWK | undefined | Promise<JWK | undefined>;
  /** The holder's private key (ES256 JWK with `d`), kept by a wallet that lives on; default a new one. */
  holderKey?: JWK;
}

/** A new holder key pair as a private JWK (what a wallet keeps; `publicJwkOf` gives its cnf). */
export async function generateHolderKey(): Promise<JWK> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  return exportJWK(privateKey);
}

/** The public part of an EC JWK (the credential's `cnf.jwk`). */
export function publicJwkOf(jwk: JWK): JWK {
  const { kty, crv, x, y } = jwk;
  return { kty, crv, x, y };
}

/** A holder wallet (see TestWalletOptions). */
export async function createTestWallet(opts: TestWalletOptions): Promise<TestWallet> {
  const privateJwk = opts.holderKey ?? (await generateHolderKey());
  const holderJwk = publicJwkOf(privateJwk);
  const holderKey: PrivateKey = (await importJWK(privateJwk, 'ES256')) as PrivateKey;

  async function fetchRequest(deeplinkOrUri: string): Promise<RequestObject> {
    const requestUri = requestUriOf(deeplinkOrUri);
    const linkClientId = new URL(deeplinkOrUri.trim()).searchParams.get('client_id');
    const res = await fetch(requestUri, { headers: { accept: 'application/oauth-authz-req+jwt' } });
    // 404: unknown or past its TTL; 410: already answered (RequestObjectService).
    if (res.status === 404) throw new WalletError('request object: HTTP 404 (the verification is unknown or has expired)');
    if (res.status === 410) throw new WalletError('request object: HTTP 410 (the verification is closed: it was answered already)');
    if (!res.ok) throw new WalletError(`request object: HTTP ${res.status}`);
    const jar = (await res.text()).trim();
    let header: ReturnType<typeof decodeProtectedHeader>;
    try {
      header = decodeProtectedHeader(jar);
    } catch {
      throw new WalletError('not a signed request object');
    }
    if (header.typ !== 'oauth-authz-req+jwt' || header.alg !== 'ES256' || typeof header.kid !== 'string') throw new WalletError('not a signed request object');
    const key = await opts.resolveVerifierKey(header.kid);
    if (!key) throw new WalletError('the verifier key does not resolve');
    let payload: Uint8Array;
    try {
      ({ payload } = await compactVerify(jar, await importJWK(key, 'ES256')));
    } catch {
      throw new WalletError('the request object is not signed by the verifier key');
    }
    const request = JSON.parse(new TextDecoder().decode(payload)) as RequestObject;
    const clientDid = String(request.client_id).replace(/^decentralized_identifier:/, '');
    if (clientDid !== header.kid.split('#')[0]) throw new WalletError('client_id does not match the request object signer');
    if (linkClientId && linkClientId !== request.client_id) throw new WalletError('the link names another client_id');
    // The verifier's trust statements (vqPS) would carry a scope instead; this wallet reads DCQL only.
    if (!Array.isArray(request.dcql_query?.credentials) || request.dcql_query.credentials.length === 0) {
      throw new WalletError('the request object has no DCQL query');
    }
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
    if (!key?.alg || !enc) throw new WalletError('the request object offers no encryption key');
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
