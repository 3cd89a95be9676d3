// A stand-in for the Confederation's swiyu generic verifier (swiyu-admin-ch/swiyu-verifier 4.2),
// which the canton runs and we cannot run here. It speaks the same two APIs:
// - the management API the engine's adapter (infra/eid/verifier-client.ts) calls: create a
//   verification from a DCQL query and accepted issuer DIDs, read its state and result, and the
//   webhook that says "fetch the result now";
// - the wallet-facing OpenID4VP endpoints: the signed request object (JAR) and the response
//   (direct_post.jwt, an ECDH-ES/A256GCM JWE, or legacy direct_post).
// It really verifies what a wallet sends (./presentation.ts). DIDs are not resolved: a trust
// list maps the absolute kid (`did#key`) to the issuer's public JWK, where the real verifier
// resolves the did:tdw / did:webvh log. It logs nothing: presentations carry personal data.
import express, { type Express, type Request, type Response } from 'express';
import { randomUUID } from 'node:crypto';
import { CompactSign, compactDecrypt, decodeProtectedHeader, exportJWK, generateKeyPair, type CryptoKey, type JWK, type KeyObject } from 'jose';
import { z } from 'zod';
import { finishApp, listenOn } from '../http';
import { BareRejection, verifyDcqlPresentation, VerificationFailure, type DcqlQuery, type VerificationErrorCode } from './presentation';

/** Internal states; IN_PROGRESS is reported as PENDING (ManagementMapper.toVerifcationStatusDto). */
export type SessionState = 'PENDING' | 'IN_PROGRESS' | 'SUCCESS' | 'FAILED';

interface WalletResponse {
  error_code: VerificationErrorCode | null;
  error_description: string | null;
  credential_subject_data: Record<string, Record<string, unknown>[]> | null;
}

interface Session {
  id: string;
  requestNonce: string;
  oauthState: string;
  state: SessionState;
  dcql: DcqlQuery;
  acceptedIssuerDids: string[];
  responseMode: 'direct_post' | 'direct_post.jwt';
  jar: boolean;
  createdAtMs: number;
  encryption: { kid: string; publicJwk: JWK; privateKey: KeyObject | CryptoKey };
  walletResponse?: WalletResponse;
}

export interface FakeEidVerifierOptions {
  /** 0 lets the OS pick one. */
  port: number;
  host?: string;
  /** VERIFIER_DID: the client_id without its prefix, and no #fragment (#134). */
  verifierDid?: string;
  /** Stands for DID resolution of issuers: absolute kid → public JWK (ES256, P-256). */
  issuerKeys: Record<string, JWK>;
  /** Where status lists may be fetched from (accepted-registry-hosts); origins like `http://127.0.0.1:4040`. */
  statusListOrigins: string[];
  /** WEBHOOK_CALLBACK_URI and its static API key header; no webhook when omitted. */
  webhook?: { url: string; apiKeyHeader?: string; apiKeyValue?: string; intervalMs?: number };
  /** VERIFICATION_TTL_SEC (default 900). */
  verificationTtlSec?: number;
  /** request-object-ttl-seconds (default 600): the JAR `exp`. */
  requestObjectTtlSec?: number;
  /** VERIFICATION_PROOF_TIME_WINDOW_SEC (default 120). */
  proofWindowSec?: number;
  /** DEEPLINK_SCHEMA (default swiyu-verify). */
  deeplinkSchema?: string;
  /** The verifier's clock (tests move it to pass the TTL). */
  now?: () => number;
}

/** What the control endpoints and the handle share. */
export class FakeEidVerifierState {
  readonly sessions = new Map<string, Session>();
  /** Webhook events not yet acknowledged with a 2xx (at-least-once, retried every interval). */
  readonly pendingCallbacks: { verification_id: string; timestamp: string }[] = [];
  latencyMs = 0;
  readonly timers = new Set<NodeJS.Timeout>();
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const claimPath = z.array(z.union([z.string(), z.number().int().min(0), z.null()])).min(1);
const dcqlCredentialSchema = z.looseObject({
  id: z.string().regex(/^[A-Za-z0-9_-]+$/),
  format: z.string().min(1),
  meta: z.looseObject({ vct_values: z.array(z.string()).min(1, 'meta.vct_values must not be empty').optional() }).optional(),
  claims: z
    .array(z.looseObject({ id: z.string().optional(), path: claimPath, values: z.array(z.union([z.string(), z.number(), z.boolean()])).optional() }))
    .optional(),
  require_cryptographic_holder_binding: z.boolean().optional(),
  multiple: z.literal(false, 'multiple: true is not supported').optional(),
  claim_sets: z.undefined('claim_sets are not yet supported').optional(),
  trusted_authorities: z.undefined('trusted_authorities are not yet supported').optional(),
});
const createBody = z.looseObject({
  accepted_issuer_dids: z.array(z.string().min(1)).min(1, 'accepted_issuer_dids must not be empty').nullish(),
  trust_anchors: z.undefined('trust_anchors are not supported by this fake').nullish(),
  jwt_secured_authorization_request: z.boolean().nullish(),
  response_mode: z.enum(['direct_post', 'direct_post.jwt']).nullish(),
  dcql_query: z.looseObject({
    credentials: z.array(dcqlCredentialSchema).min(1),
    credential_sets: z.undefined('credential_sets are not supported').optional(),
  }),
  verification_purpose: z.unknown().optional(),
  configuration_override: z.undefined('configuration_override is not supported by this fake').nullish(),
  redirect_uri: z.undefined('redirect_uri is not supported by this fake').nullish(),
});

const apiError = (res: Response, status: number, description: string) => res.status(status).json({ error_description: description });

/** The express app alone, with its keys made by startFakeEidVerifier. */
export function createFakeEidVerifierApp(
  opts: Required<Omit<FakeEidVerifierOptions, 'port' | 'host' | 'webhook'>> & {
    externalUrl: () => string;
    signingKey: KeyObject | CryptoKey;
    verifierKey: JWK & { kid: string };
  },
  state: FakeEidVerifierState,
  onSubmission: (verificationId: string) => void,
): Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  const clientId = `decentralized_identifier:${opts.verifierDid}`;
  const verificationMethod = opts.verifierKey.kid;
  const isExpired = (s: Session) => opts.now() > s.createdAtMs + opts.verificationTtlSec * 1000;
  const verificationUrl = (id: string) => `${opts.externalUrl()}/oid4vp/api/request-object/${id}`;

  app.use((_req, _res, next) => {
    if (state.latencyMs === 0) return next();
    const timer = setTimeout(() => {
      state.timers.delete(timer);
      next();
    }, state.latencyMs);
    state.timers.add(timer);
  });

  /** ManagementResponseDto, null fields left out (@JsonInclude NON_NULL). */
  const managementView = (s: Session) => {
    const url = verificationUrl(s.id);
    return {
      id: s.id,
      request_nonce: s.requestNonce,
      state: s.state === 'IN_PROGRESS' ? 'PENDING' : s.state,
      ...(s.walletResponse ? { wallet_response: s.walletResponse } : {}),
      verification_url: url,
      verification_deeplink: `${opts.deeplinkSchema}://?client_id=${encodeURIComponent(clientId)}&request_uri=${encodeURIComponent(url)}`,
    };
  };

  app.post('/management/api/verifications', express.json({ limit: '1mb' }), async (req, res) => {
    const parsed = createBody.safeParse(req.body);
    if (!parsed.success) {
      apiError(res, 400, parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join(', '));
      return;
    }
    const body = parsed.data;
    if (!body.accepted_issuer_dids) {
      apiError(res, 400, 'createVerificationManagementDto: accepted_issuer_dids or trust_anchors must be set');
      return;
    }
    const { publicKey, privateKey } = await generateKeyPair('ECDH-ES', { crv: 'P-256', extractable: true });
    const session: Session = {
      id: randomUUID(),
      requestNonce: randomUUID(),
      oauthState: randomUUID(),
      state: 'PENDING',
      dcql: body.dcql_query as DcqlQuery,
      acceptedIssuerDids: body.accepted_issuer_dids,
      // The DTO's default; wallets now refuse it (#456), so the adapter always sends direct_post.jwt.
      responseMode: body.response_mode ?? 'direct_post',
      jar: body.jwt_secured_authorization_request ?? true,
      createdAtMs: opts.now(),
      encryption: { kid: randomUUID(), publicJwk: await exportJWK(publicKey), privateKey },
    };
    state.sessions.set(session.id, session);
    res.status(200).json(managementView(session));
  });

  /** The session of a path id, or answers 400 / 404 (an expired one is deleted, as findAndHandleExpiration does). */
  function sessionOf(req: Request<{ id: string }>, res: Response): Session | undefined {
    if (!UUID.test(req.params.id)) {
      apiError(res, 400, 'invalid id');
      return undefined;
    }
    const s = state.sessions.get(req.params.id);
    if (!s || isExpired(s)) {
      if (s) state.sessions.delete(s.id);
      apiError(res, 404, `Verification Request with id ${req.params.id} not found`);
      return undefined;
    }
    return s;
  }

  app.get('/management/api/verifications/:id', (req: Request<{ id: string }>, res) => {
    const s = sessionOf(req, res);
    if (s) res.json(managementView(s));
  });

  app.get('/oid4vp/api/request-object/:id', async (req: Request<{ id: string }>, res) => {
    const s = sessionOf(req, res);
    if (!s) return;
    if (s.state !== 'PENDING') {
      apiError(res, 410, 'Verification Process has already been closed');
      return;
    }
    const jwe = s.responseMode === 'direct_post.jwt';
    const nowSec = Math.floor(opts.now() / 1000);
    const requestObject = {
      iss: clientId,
      iat: nowSec,
      exp: nowSec + opts.requestObjectTtlSec,
      aud: 'https://self-issued.me/v2',
      client_id: clientId,
      response_type: 'vp_token',
      response_mode: s.responseMode,
      response_uri: `${verificationUrl(s.id)}/response-data`,
      nonce: s.requestNonce,
      state: s.oauthState,
      dcql_query: s.dcql,
      client_metadata: {
        client_name: 'Fake swiyu verifier',
        vp_formats_supported: { 'dc+sd-jwt': { 'sd-jwt_alg_values': ['ES256'], 'kb-jwt_alg_values': ['ES256'] } },
        ...(jwe
          ? {
              jwks: { keys: [{ ...s.encryption.publicJwk, alg: 'ECDH-ES', use: 'enc', kid: s.encryption.kid }] },
              encrypted_response_enc_values_supported: ['A256GCM'],
            }
          : {}),
      },
      ...(jwe ? { encrypted_response_enc_values_supported: ['A256GCM'] } : {}),
    };
    if (!s.jar) {
      res.json(requestObject);
      return;
    }
    const jar = await new CompactSign(new TextEncoder().encode(JSON.stringify(requestObject)))
      .setProtectedHeader({ alg: 'ES256', typ: 'oauth-authz-req+jwt', kid: verificationMethod, profile_version: 'swiss-profile-verification:1.0.0' })
      .sign(opts.signingKey);
    res.type('application/oauth-authz-req+jwt').send(jar);
  });

  app.post(
    '/oid4vp/api/request-object/:id/response-data',
    express.urlencoded({ extended: false, limit: '21mb' }),
    async (req: Request<{ id: string }>, res) => {
      const s = sessionOf(req, res);
      if (!s) return;
      const form = (req.body ?? {}) as Record<string, unknown>;
      // Before the session is claimed: a bad JWE or state is a bare 400 and the session stays
      // PENDING; no webhook fires and the wallet may try again (VerificationController).
      let answer: Record<string, unknown>;
      try {
        answer = await readAnswer(s, form);
      } catch (err) {
        apiError(res, 400, (err as Error).message);
        return;
      }
      if (answer.state !== s.oauthState) {
        apiError(res, 400, 'OAuth2.0 State mismatch. Expected to receive the state as in Request Object');
        return;
      }
      // Claim the session: PENDING → IN_PROGRESS, once (claimSessionForProcessing).
      if (s.state !== 'PENDING') {
        apiError(res, 410, 'Verification Process has already been closed');
        return;
      }
      s.state = 'IN_PROGRESS';
      try {
        if (typeof answer.error === 'string') {
          s.state = 'FAILED';
          const description = typeof answer.error_description === 'string' ? answer.error_description : answer.error;
          s.walletResponse = { error_code: 'client_rejected', error_description: description, credential_subject_data: null };
          res.status(200).json({});
          return;
        }
        const credentialSubjectData = await verifyDcqlPresentation(answer.vp_token, {
          dcql: s.dcql,
          acceptedIssuerDids: s.acceptedIssuerDids,
          nonce: s.requestNonce,
          clientId,
          resolveKey: (kid) => opts.issuerKeys[kid],
          fetchStatusList: (uri) => fetchStatusList(uri, opts.statusListOrigins),
          nowMs: opts.now(),
          proofWindowSec: opts.proofWindowSec,
        });
        s.state = 'SUCCESS';
        s.walletResponse = { error_code: null, error_description: null, credential_subject_data: credentialSubjectData };
        res.status(200).json({});
      } catch (err) {
        if (err instanceof VerificationFailure) {
          s.state = 'FAILED';
          s.walletResponse = { error_code: err.code, error_description: err.description, credential_subject_data: null };
          // The DCQL path answers the legacy v1 error (submissionErrorV1).
          res.status(400).json({ error: 'invalid_transaction_data', detail: err.code, error_code: err.code, error_description: err.description });
        } else if (err instanceof BareRejection) {
          // Issue #477: the session stays IN_PROGRESS (PENDING to the business side) until its TTL.
          apiError(res, 400, err.message);
        } else {
          apiError(res, 500, 'Internal Server Error. Please check again later');
        }
      } finally {
        // Every claimed attempt is announced, success or not (PresentationVerificationUsecase).
        onSubmission(s.id);
      }
    },
  );

  // What resolving the verifier DID gives a wallet (the real one publishes it in its DID log).
  app.get('/_control/verifier-jwks', (_req, res) => {
    res.json({ keys: [opts.verifierKey] });
  });
  app.get('/_control/verifications/:id', (req: Request<{ id: string }>, res) => {
    const s = state.sessions.get(req.params.id);
    if (!s) {
      apiError(res, 404, 'no such verification');
      return;
    }
    res.json({ id: s.id, state: s.state, expiresAt: new Date(s.createdAtMs + opts.verificationTtlSec * 1000).toISOString() });
  });
  app.post('/_control/latency', express.json(), (req, res) => {
    const body = z.strictObject({ ms: z.number().int().min(0).max(600_000) }).safeParse(req.body);
    if (!body.success) {
      apiError(res, 400, 'expected { ms: integer 0..600000 }');
      return;
    }
    state.latencyMs = body.data.ms;
    res.json({ latencyMs: state.latencyMs });
  });

  return finishApp(app, 'the presentation is too large');
}

/** The wallet's answer: `{ vp_token, state }` or a rejection `{ error, error_description, state }`. */
async function readAnswer(s: Session, form: Record<string, unknown>): Promise<Record<string, unknown>> {
  if (typeof form.error === 'string') return form; // rejections come unencrypted
  if (s.responseMode === 'direct_post.jwt') {
    if (typeof form.response !== 'string') throw new Error('Missing response parameter for direct_post.jwt');
    const header = decodeProtectedHeader(form.response);
    if (header.alg !== 'ECDH-ES' || header.enc !== 'A256GCM') throw new Error('Unsupported JWE algorithm');
    if (header.kid !== s.encryption.kid) throw new Error('invalid_request: unknown or missing JWE kid');
    const { plaintext } = await compactDecrypt(form.response, s.encryption.privateKey, {
      keyManagementAlgorithms: ['ECDH-ES'],
      contentEncryptionAlgorithms: ['A256GCM'],
    });
    const decrypted: unknown = JSON.parse(new TextDecoder().decode(plaintext));
    if (typeof decrypted !== 'object' || decrypted === null) throw new Error('Invalid response payload');
    return decrypted as Record<string, unknown>;
  }
  if (typeof form.vp_token !== 'string') throw new Error('Missing vp_token');
  return { vp_token: JSON.parse(form.vp_token) as unknown, state: form.state };
}

/** Fetches a status list token, only from the accepted origins, with a timeout and a size limit. */
async function fetchStatusList(uri: string, origins: string[]): Promise<string | null> {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return null;
  }
  if (!origins.includes(url.origin)) return null;
  try {
    const res = await fetch(url, { headers: { accept: 'application/statuslist+jwt' }, signal: AbortSignal.timeout(5000), redirect: 'error' });
    if (!res.ok) return null;
    const text = await res.text();
    return text.length > 200 * 1024 ? null : text.trim(); // object-size-limit 200 KiB
  } catch {
    return null;
  }
}

export interface FakeEidVerifier {
  url: string;
  /** client_id of the request objects (`decentralized_identifier:<did>`). */
  clientId: string;
  /** The key the request objects are signed with (what the verifier DID resolves to). */
  verifierKey: JWK & { kid: string };
  /** The internal state, IN_PROGRESS included, or undefined once gone. */
  internalState(verificationId: string): SessionState | undefined;
  setLatency(ms: number): void;
  close(): Promise<void>;
}

export async function startFakeEidVerifier(options: FakeEidVerifierOptions): Promise<FakeEidVerifier> {
  const state = new FakeEidVerifierState();
  const verifierDid = options.verifierDid ?? 'did:tdw:QmFakeVerifier:verifier.localhost:fake';
  if (verifierDid.includes('#')) throw new Error('verifierDid must carry no #fragment');
  const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
  const verifierKey = { ...(await exportJWK(publicKey)), kid: `${verifierDid}#jar-key-1`, alg: 'ES256' };
  let baseUrl = '';
  const webhook = options.webhook;
  const app = createFakeEidVerifierApp(
    {
      verifierDid,
      issuerKeys: options.issuerKeys,
      statusListOrigins: options.statusListOrigins,
      verificationTtlSec: options.verificationTtlSec ?? 900,
      requestObjectTtlSec: options.requestObjectTtlSec ?? 600,
      proofWindowSec: options.proofWindowSec ?? 120,
      deeplinkSchema: options.deeplinkSchema ?? 'swiyu-verify',
      now: options.now ?? Date.now,
      externalUrl: () => baseUrl,
      signingKey: privateKey,
      verifierKey,
    },
    state,
    (id) => {
      if (webhook) state.pendingCallbacks.push({ verification_id: id, timestamp: new Date((options.now ?? Date.now)()).toISOString() });
    },
  );
  // The CallbackDispatchScheduler: every interval, each pending event is POSTed until a 2xx.
  let dispatching = false;
  const dispatcher = webhook
    ? setInterval(() => {
        if (dispatching || state.pendingCallbacks.length === 0) return;
        dispatching = true;
        void dispatchCallbacks(state, webhook).finally(() => {
          dispatching = false;
        });
      }, webhook.intervalMs ?? 2000)
    : undefined;
  dispatcher?.unref();
  const { url, close } = await listenOn(app, options.port, options.host ?? '127.0.0.1', () => {
    if (dispatcher) clearInterval(dispatcher);
    for (const t of state.timers) clearTimeout(t);
    state.timers.clear();
  });
  baseUrl = url;
  return {
    url,
    clientId: `decentralized_identifier:${verifierDid}`,
    verifierKey,
    internalState: (id) => state.sessions.get(id)?.state,
    setLatency: (ms) => {
      state.latencyMs = ms;
    },
    close,
  };
}

async function dispatchCallbacks(state: FakeEidVerifierState, webhook: NonNullable<FakeEidVerifierOptions['webhook']>): Promise<void> {
  for (const event of [...state.pendingCallbacks]) {
    try {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (webhook.apiKeyHeader && webhook.apiKeyValue) headers[webhook.apiKeyHeader] = webhook.apiKeyValue;
      const res = await fetch(webhook.url, { method: 'POST', headers, body: JSON.stringify(event), signal: AbortSignal.timeout(5000) });
      if (res.ok) state.pendingCallbacks.splice(state.pendingCallbacks.indexOf(event), 1);
    } catch {
      // retried at the next interval, forever (at-least-once delivery)
    }
  }
}
