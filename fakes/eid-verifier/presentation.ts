// What the generic verifier checks in a wallet's DCQL answer, in its order and with its error
// codes (swiyu-verifier 4.2, verifier-service/.../service/oid4vp/: DcqlPresentationVerificationService
// `process`, DcqlVpTokenVerifier `verifyVpTokenForDCQLRequest`, SdJwtVpTokenVerifier, and
// service/dcql/DcqlUtil). Two kinds of refusal, as there:
// - VerificationFailure: a VerificationException; the session becomes FAILED with the code.
// - BareRejection: an IllegalArgumentException (a requested claim missing, a `values` mismatch);
//   the wallet gets a bare 400 and the session stays IN_PROGRESS, read as PENDING, until its TTL
//   (swiyu-verifier issue #477). Reproduced on purpose: the engine must not wait for it forever.
import { digest } from '@sd-jwt/crypto-nodejs';
import { getListFromStatusListJWT } from '@sd-jwt/jwt-status-list';
import { Disclosure } from '@sd-jwt/utils';
import { createHash } from 'node:crypto';
import { compactVerify, decodeProtectedHeader, importJWK, type JWK } from 'jose';

/** The codes of swiyu-verifier's VerificationErrorResponseCode that this fake can give. */
export type VerificationErrorCode =
  | 'malformed_credential'
  | 'invalid_format'
  | 'jwt_expired'
  | 'jwt_premature'
  | 'issuer_not_accepted'
  | 'public_key_of_issuer_unresolvable'
  | 'holder_binding_mismatch'
  | 'missing_nonce'
  | 'credential_revoked'
  | 'credential_suspended'
  | 'unresolvable_status_list'
  | 'invalid_presentation_submission'
  | 'client_rejected';

export class VerificationFailure extends Error {
  constructor(
    readonly code: VerificationErrorCode,
    readonly description: string,
    /** 'credential' (INVALID_CREDENTIAL) or 'submission' (INVALID_REQUEST), as in VerificationException. */
    readonly kind: 'credential' | 'submission' = 'credential',
  ) {
    super(`${code}: ${description}`);
  }
}

/** An IllegalArgumentException in the real verifier: bare 400, the session is left IN_PROGRESS. */
export class BareRejection extends Error {}

export interface DcqlClaim {
  path: (string | number | null)[];
  values?: unknown[];
}
export interface DcqlCredential {
  id: string;
  format: string;
  meta?: { vct_values?: string[] };
  claims?: DcqlClaim[];
  require_cryptographic_holder_binding?: boolean;
}
export interface DcqlQuery {
  credentials: DcqlCredential[];
}

export interface PresentationContext {
  dcql: DcqlQuery;
  acceptedIssuerDids: readonly string[];
  /** The request object's nonce (the management `request_nonce`). */
  nonce: string;
  /** The request object's client_id, prefix included: the only accepted KB-JWT `aud`. */
  clientId: string;
  /** Stands for DID resolution: absolute kid (`did#key`) → public JWK. */
  resolveKey(kid: string): JWK | undefined;
  /** The status list token at `uri` (compact JWT), or null when it cannot be fetched. */
  fetchStatusList(uri: string): Promise<string | null>;
  nowMs: number;
  /** VERIFICATION_PROOF_TIME_WINDOW_SEC: the KB-JWT `iat` must lie within now ± this. */
  proofWindowSec: number;
}

/** Claims that SD-JWT VC keeps in the issuer-signed JWT, never in a disclosure (SD-JWT VC 3.2.2). */
const RESERVED_CLAIMS = new Set(['iss', 'nbf', 'exp', 'cnf', 'vct', 'status']);
const SD_JWT_TYPES = ['vc+sd-jwt', 'dc+sd-jwt'];
const hasher = { alg: 'sha-256', hasher: (data: string | ArrayBuffer, alg: string) => digest(data, alg) };

const credentialError = (code: VerificationErrorCode, description: string) => new VerificationFailure(code, description, 'credential');
const submissionError = (description: string) => new VerificationFailure('invalid_presentation_submission', description, 'submission');
const malformed = (description: string) => credentialError('malformed_credential', description);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The DID of an absolute kid `did#fragment` (exactly one '#'), or null. */
export function didOfKid(kid: string): string | null {
  const parts = kid.split('#');
  return parts.length === 2 && parts[0] && parts[1] ? parts[0] : null;
}

/** SD-JWT's sd_hash: base64url(SHA-256(`<issuer-jwt>~<d1>~…~<dn>~`)). */
export function sdHashOf(presentationWithoutKb: string): string {
  return createHash('sha256').update(presentationWithoutKb, 'ascii').digest('base64url');
}

/**
 * Verifies a DCQL answer (`vp_token` map) and gives `credential_subject_data`:
 * `{ "<dcql credential id>": [ { …resolved claims, issuer JWT claims included… } ] }`.
 */
export async function verifyDcqlPresentation(vpTokens: unknown, ctx: PresentationContext): Promise<Record<string, Record<string, unknown>[]>> {
  if (!isObject(vpTokens)) throw submissionError('Missing vp_token object in presentation submission');
  const verified: Record<string, Record<string, unknown>[]> = {};
  for (const requested of ctx.dcql.credentials) {
    const tokens = vpTokens[requested.id];
    if (tokens === undefined) throw submissionError(`Missing vp token for requested credential id ${requested.id}`);
    if (!Array.isArray(tokens)) throw submissionError(`Vp token entry for requested credential id ${requested.id} must not be null`);
    // max-vcs-accepted is 1 and `multiple` is refused at creation.
    if (tokens.length > 1) throw submissionError(`Expected only 1 vp token for ${requested.id}`);
    if (tokens.some((t) => typeof t !== 'string'))
      throw submissionError(`Vp token list for requested credential id ${requested.id} must not contain null entries`);
    const matching: Record<string, unknown>[] = [];
    for (const token of tokens as string[]) {
      const claims = await verifySdJwtPresentation(token, requested, ctx);
      const vctValues = requested.meta?.vct_values;
      if (!vctValues || vctValues.includes(String(claims.vct))) matching.push(claims);
    }
    const first = matching[0];
    if (!first) throw submissionError(`No matching SD-JWT for requested credential id ${requested.id}`);
    validateRequestedClaims(first, requested.claims ?? []);
    verified[requested.id] = [first];
  }
  return verified;
}

/** One SD-JWT VC presentation (`<issuer-jwt>~<disclosure>~…~<kb-jwt>`): its resolved claims. */
async function verifySdJwtPresentation(token: string, requested: DcqlCredential, ctx: PresentationContext): Promise<Record<string, unknown>> {
  const parts = token.split('~');
  if (parts.length < 2) throw malformed('Failed to extract information from JWT token');
  const issuerJwt = parts[0] as string;
  const kbJwt = parts[parts.length - 1] as string;
  const disclosures = parts.slice(1, -1);

  // 1. The issuer-signed JWT: header, the issuer's key (by kid), signature, times.
  let header: Record<string, unknown>;
  try {
    header = decodeProtectedHeader(issuerJwt) as Record<string, unknown>;
  } catch {
    throw malformed('Failed to extract information from JWT token');
  }
  if (header.alg !== 'ES256') throw credentialError('invalid_format', 'Invalid Algorithm: alg is not supported must be one of [ES256]');
  if (typeof header.typ !== 'string' || !SD_JWT_TYPES.includes(header.typ))
    throw credentialError('invalid_format', `Type header must be one of ${SD_JWT_TYPES.join(', ')}`);
  const kid = header.kid;
  if (typeof kid !== 'string' || kid.trim() === '') throw malformed("Missing header attribute 'kid' for the issuer's Key Id in the JWT token");
  const issuerJwk = ctx.resolveKey(kid);
  if (!issuerJwk) throw credentialError('public_key_of_issuer_unresolvable', 'The issuer key could not be resolved');
  let payload: Record<string, unknown>;
  try {
    const { payload: bytes } = await compactVerify(issuerJwt, await importJWK(issuerJwk, 'ES256'), { algorithms: ['ES256'] });
    payload = JSON.parse(Buffer.from(bytes).toString('utf8')) as Record<string, unknown>;
    if (!isObject(payload)) throw new Error('payload');
  } catch {
    throw malformed('Failed to extract information from JWT token');
  }
  validateJwtTimes(payload, ctx.nowMs);

  // 2. The format the DCQL query asked for.
  if (requested.format !== 'dc+sd-jwt' && requested.format !== 'vc+sd-jwt') {
    throw submissionError(`Wrong format for ${requested.id} - expected ${requested.format} but received ${String(header.typ)}`);
  }

  // 3. Issuer trust: the DID of the header kid, never `iss` (CD-008), in accepted_issuer_dids.
  const issuerDid = didOfKid(kid);
  if (!issuerDid || !ctx.acceptedIssuerDids.includes(issuerDid)) {
    throw credentialError('issuer_not_accepted', 'Issuer not in list of accepted issuers or connected to trust anchor');
  }

  // 4. Key binding to the holder's key (cnf), for this verifier and this request.
  if (kbJwt !== '') {
    await validateKeyBinding(kbJwt, payload, `${parts.slice(0, -1).join('~')}~`, ctx);
  } else if (requested.require_cryptographic_holder_binding !== false) {
    throw credentialError('holder_binding_mismatch', 'Missing Holder Key Binding Proof');
  }

  // 5. Revocation: the token status list the credential points to.
  await verifyStatus(payload, issuerDid, ctx);

  // 6. Selective disclosure: every disclosure's digest in the signed `_sd` arrays.
  return resolveDisclosures(payload, disclosures, ctx.nowMs);
}

function validateJwtTimes(payload: Record<string, unknown>, nowMs: number): void {
  if (typeof payload.exp === 'number' && nowMs > payload.exp * 1000) throw credentialError('jwt_expired', 'Could not verify JWT credential is expired');
  if (typeof payload.nbf === 'number' && nowMs < payload.nbf * 1000) throw credentialError('jwt_premature', 'Could not verify JWT credential is not yet valid');
}

async function validateKeyBinding(kbJwt: string, payload: Record<string, unknown>, presented: string, ctx: PresentationContext): Promise<void> {
  const mismatch = (description: string) => credentialError('holder_binding_mismatch', description);
  const cnf = payload.cnf;
  if (!isObject(cnf)) throw mismatch('No cnf claim found. Only supporting JWK holder bindings');
  // The spec says cnf.jwk; the Beta-ID sample has the bare JWK. SV accepts both.
  const holderJwk = (isObject(cnf.jwk) ? cnf.jwk : cnf) as JWK;
  let holderKey: Awaited<ReturnType<typeof importJWK>>;
  try {
    holderKey = await importJWK(holderJwk, 'ES256');
  } catch {
    throw mismatch('Holder Binding Key could not be parsed');
  }
  let kbHeader: Record<string, unknown>;
  try {
    kbHeader = decodeProtectedHeader(kbJwt) as Record<string, unknown>;
  } catch {
    throw mismatch('Holder Binding could not be parsed');
  }
  if (kbHeader.typ !== 'kb+jwt') throw mismatch(`Type of holder binding typ is expected to be kb+jwt but was ${String(kbHeader.typ)}`);
  if (kbHeader.alg !== 'ES256') throw mismatch('Holder binding algorithm must be in [ES256]');
  let kb: Record<string, unknown>;
  try {
    const { payload: bytes } = await compactVerify(kbJwt, holderKey, { algorithms: ['ES256'] });
    kb = JSON.parse(Buffer.from(bytes).toString('utf8')) as Record<string, unknown>;
  } catch {
    throw mismatch('Holder Binding provided does not match the one in the credential');
  }
  if (typeof kb.iat !== 'number') throw mismatch('Holder Binding is not a valid JWT');
  if (Math.abs(kb.iat * 1000 - ctx.nowMs) > ctx.proofWindowSec * 1000) {
    throw mismatch(`Holder Binding proof was not issued at an acceptable time. Expected +/- ${ctx.proofWindowSec} seconds`);
  }
  const audiences = typeof kb.aud === 'string' ? [kb.aud] : Array.isArray(kb.aud) ? kb.aud : [];
  if (audiences.length === 0) throw mismatch('Missing Holder Key Binding audience (aud)');
  if (audiences.length !== 1) throw mismatch(`Multiple audiences not supported. Expected 1 but was ${audiences.length}`);
  if (audiences[0] !== ctx.clientId) throw mismatch('Holder Binding audience mismatch');
  if (kb.nonce !== ctx.nonce) throw credentialError('missing_nonce', 'Holder Binding lacks correct nonce');
  if (kb.sd_hash !== sdHashOf(presented)) throw mismatch('Failed to validate key binding. Presented sd_hash does not match the computed hash');
}

/**
 * The status list check (swiyu-generic-java-lib TokenStatusListVerifier, as SV configures it):
 * the list must be signed by the credential's issuer DID, name the credential's `uri` as `sub`,
 * and carry `exp` (verification.expiry-must-be-present); otherwise "Credential is not valid".
 */
async function verifyStatus(payload: Record<string, unknown>, issuerDid: string, ctx: PresentationContext): Promise<void> {
  const status = payload.status;
  if (!isObject(status) || !isObject(status.status_list)) return; // no status reference: no status
  const { idx, uri } = status.status_list;
  if (typeof idx !== 'number' || !Number.isInteger(idx) || idx < 0 || typeof uri !== 'string') {
    throw credentialError('unresolvable_status_list', 'Status List Token malformed');
  }
  const token = await ctx.fetchStatusList(uri);
  if (token === null) throw credentialError('unresolvable_status_list', 'Status List not found or malformed');
  const notValid = () => credentialError('credential_revoked', 'Credential is not valid');
  let listPayload: Record<string, unknown>;
  try {
    const header = decodeProtectedHeader(token);
    if (header.typ !== 'statuslist+jwt' || typeof header.kid !== 'string' || didOfKid(header.kid) !== issuerDid) throw notValid();
    const key = ctx.resolveKey(header.kid);
    if (!key) throw notValid();
    const { payload: bytes } = await compactVerify(token, await importJWK(key, 'ES256'), { algorithms: ['ES256'] });
    listPayload = JSON.parse(Buffer.from(bytes).toString('utf8')) as Record<string, unknown>;
  } catch {
    throw notValid();
  }
  if (listPayload.sub !== uri || typeof listPayload.exp !== 'number' || ctx.nowMs > listPayload.exp * 1000) throw notValid();
  let value: number;
  try {
    value = getListFromStatusListJWT(token).getStatus(idx);
  } catch {
    throw credentialError('unresolvable_status_list', 'Status List Token malformed');
  }
  if (value > 1) throw credentialError('credential_suspended', 'Credential is suspended');
  if (value !== 0) throw notValid();
}

async function resolveDisclosures(payload: Record<string, unknown>, encoded: string[], nowMs: number): Promise<Record<string, unknown>> {
  const disclosures: Disclosure[] = [];
  for (const s of encoded) {
    try {
      disclosures.push(await Disclosure.fromEncode(s, hasher));
    } catch {
      throw malformed('Failed to extract information from JWT token');
    }
  }
  const names = disclosures.map((d) => d.key).filter((k): k is string => typeof k === 'string');
  if (names.some((n) => RESERVED_CLAIMS.has(n))) {
    throw malformed(
      "If present, the following registered JWT claims MUST be included in the SD-JWT and MUST NOT be included in the Disclosures: 'iss', 'nbf', 'exp', 'cnf', 'vct', 'status'",
    );
  }
  if (names.some((n) => n in payload)) throw malformed('Can not resolve disclosures. Existing Claim would be overridden.');
  const byDigest = new Map<string, Disclosure>();
  for (const d of disclosures) {
    const dg = await d.digest(hasher);
    if (byDigest.has(dg)) throw malformed('Request contains non-distinct disclosures');
    byDigest.set(dg, d);
  }
  const used: string[] = [];
  const resolved = processNode(payload, byDigest, used) as Record<string, unknown>;
  if (resolved._sd_alg !== undefined && resolved._sd_alg !== 'sha-256') throw credentialError('invalid_format', 'Unsupported _sd_alg value');
  delete resolved._sd_alg;
  if (used.length !== new Set(used).size) throw malformed('Duplicate digest detected');
  if (used.length !== disclosures.length) throw malformed('Unused disclosures detected');
  validateJwtTimes(payload, nowMs);
  return resolved;
}

/** Replaces digests by their disclosed claims (recursively), drops `_sd`; marks what was used. */
function processNode(node: unknown, byDigest: Map<string, Disclosure>, used: string[]): unknown {
  if (Array.isArray(node)) {
    const out: unknown[] = [];
    for (const element of node) {
      const ref = isObject(element) && Object.keys(element).length === 1 ? element['...'] : undefined;
      if (typeof ref !== 'string') {
        out.push(processNode(element, byDigest, used));
        continue;
      }
      const d = byDigest.get(ref);
      if (!d) continue; // an element not disclosed
      if (d.key !== undefined) throw malformed('Illegal non-array disclosure found');
      used.push(ref);
      out.push(processNode(d.value, byDigest, used));
    }
    return out;
  }
  if (!isObject(node)) return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) if (k !== '_sd') out[k] = processNode(v, byDigest, used);
  const sd = node._sd;
  if (sd === undefined) return out;
  if (!Array.isArray(sd)) throw malformed("'_sd' claim must be a JSON array");
  for (const dg of sd) {
    const d = typeof dg === 'string' ? byDigest.get(dg) : undefined;
    if (!d) continue;
    if (d.key === undefined) throw malformed('Illegal disclosure found');
    if (d.key === '_sd' || d.key === '...') throw malformed('Illegal disclosure found with name _sd or ...');
    if (d.key in out) throw malformed('Claim name already exists at the level of the _sd key');
    used.push(dg as string);
    out[d.key] = processNode(d.value, byDigest, used);
  }
  return out;
}

/** DcqlUtil.validateRequestedClaims: each path must resolve; `values` compare typed ("true" ≠ true). */
function validateRequestedClaims(claims: Record<string, unknown>, requested: DcqlClaim[]): void {
  for (const claim of requested) {
    const selected = selectPath(claims, claim.path);
    if (claim.values && !selected.some((v) => claim.values?.some((w) => w === v))) {
      throw new BareRejection('Not all requested claim values are satisfied');
    }
  }
}

function selectPath(root: unknown, path: (string | number | null)[]): unknown[] {
  let current: unknown[] = [root];
  for (const step of path) {
    const next: unknown[] = [];
    for (const node of current) {
      if (typeof step === 'string') {
        if (!isObject(node)) throw new BareRejection(`Illegal claim type for selection ${step}`);
        if (step in node) next.push(node[step]);
      } else if (typeof step === 'number') {
        if (!Array.isArray(node)) throw new BareRejection(`Illegal claim type for selection ${step}`);
        if (step < node.length) next.push(node[step]);
      } else {
        if (!Array.isArray(node)) throw new BareRejection('Illegal claim type for selecting all array elements');
        next.push(...(node as unknown[]));
      }
    }
    if (next.length === 0) throw new BareRejection('Requested DCQL path could not be found');
    current = next;
  }
  return current;
}
