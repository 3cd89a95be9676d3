// The engine's adapter to the federal generic verifier (swiyu-verifier), which the canton runs.
// It creates a verification from a DCQL query for the claims the counter needs, and reads its
// result by polling with backoff (or when the webhook says so), within the engine's own
// deadline: the verifier can stay PENDING until its TTL when a value check fails (#477), and a
// verification is gone (404) after its TTL. Every answer is checked with zod. It never logs or
// throws claim values (personal data): only verification ids, states and error codes.
import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { EID_CLAIMS, eidVerifierConfigSchema, type EidClaimName, type EidVerifierConfig, type EidVerifierConfigInput } from './config';

export { EID_CLAIMS, type EidClaimName };
/** The requested claims as disclosed (all of them, once verified). */
export type EidClaims = Partial<Record<EidClaimName, string>>;

export interface StartVerificationRequest {
  /** The engine's deadline for this attempt (default: now + attemptDeadlineMs). */
  deadline?: Date;
}

export interface StartedVerification {
  verificationId: string;
  /** The request object's URL (`verification_url`). */
  walletUrl: string;
  /** `swiyu-verify://?client_id=…&request_uri=…`: shown as the QR code. */
  deeplink: string;
  /** The earlier of the engine's deadline and the verifier's TTL. */
  expiresAt: string;
}

/** Codes of our own, beside the verifier's `error_code` values (credential_revoked, issuer_not_accepted, …). */
export const ADAPTER_CODES = {
  /** The verifier no longer knows the verification (its TTL passed). */
  expired: 'verification_expired',
  /** The engine's deadline passed while the verifier still said PENDING. */
  deadline: 'deadline_exceeded',
  /** The webhook fired but the state stayed PENDING: the verifier refused the answer with a bare 400 (#477). */
  notAccepted: 'presentation_not_accepted',
  /** SUCCESS without the requested claims in a usable form. */
  missingData: 'credential_missing_data',
} as const;

export type EidVerificationResult =
  | { status: 'pending' }
  | {
      status: 'verified';
      /** Exactly the requested claims, as disclosed. */
      claims: EidClaims;
      /** The credential's `iss`. Trust was decided by the verifier on the DID of its kid, among acceptedIssuerDids. */
      issuer: string;
      vct: string;
      /** SHA-256 (hex) of the verifier's verified result for this credential (canonical JSON): the raw VP is not returned (#141). */
      presentationSha256: string;
      verifiedAt: string;
    }
  | { status: 'failed'; code: string };

export interface EidVerifier {
  startVerification(request?: StartVerificationRequest): Promise<StartedVerification>;
  /** One read. `afterWebhook`: the webhook for it arrived before this read, so PENDING means refused. */
  result(verificationId: string, opts?: { afterWebhook?: boolean; signal?: AbortSignal }): Promise<EidVerificationResult>;
  /** Reads until a result or the deadline; `notified()` tells whether the webhook arrived. */
  awaitResult(verificationId: string, opts: { deadline: Date; signal?: AbortSignal; notified?: () => boolean }): Promise<EidVerificationResult>;
  /** The verification id of a webhook call, or null if it is not one from our verifier. */
  parseWebhook(headers: Record<string, string | string[] | undefined>, body: unknown): string | null;
}

/** The verifier could not be reached or answered 5xx / 429 / too late: worth retrying. */
export class EidVerifierUnavailableError extends Error {
  override readonly name = 'EidVerifierUnavailableError';
}
/** The verifier answered something we do not understand or refused our request: not worth retrying. */
export class EidVerifierProtocolError extends Error {
  override readonly name = 'EidVerifierProtocolError';
}

export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}
const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason as Error);
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal?.reason as Error);
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

/** What the adapter logs: ids, states, codes. */
export interface EidLogger {
  info(obj: Record<string, unknown>, msg: string): void;
  warn(obj: Record<string, unknown>, msg: string): void;
}

/** The DCQL query for `claims` (claim paths are arrays, not JSONPath: #385). */
export function buildDcqlQuery(config: Pick<EidVerifierConfig, 'credentialId' | 'vctValues' | 'claims'>) {
  return {
    credentials: [
      {
        id: config.credentialId,
        format: 'dc+sd-jwt',
        meta: { vct_values: [...config.vctValues] },
        claims: config.claims.map((name) => ({ path: [name] })),
        require_cryptographic_holder_binding: true,
      },
    ],
  };
}

// ManagementResponseDto (swiyu-verifier verifier-service/.../dto/management/ManagementResponseDto.java).
const managementResponse = z.object({
  id: z.uuid(),
  request_nonce: z.string().nullish(),
  state: z.enum(['PENDING', 'SUCCESS', 'FAILED']),
  wallet_response: z
    .object({
      error_code: z.string().nullish(),
      error_description: z.string().nullish(),
      credential_subject_data: z.record(z.string(), z.array(z.record(z.string(), z.unknown()))).nullish(),
    })
    .nullish(),
  verification_url: z.url(),
  verification_deeplink: z.string().min(1),
});
const webhookBody = z.object({ verification_id: z.uuid(), timestamp: z.string() });

const CLAIM_FORMATS: Record<EidClaimName, RegExp> = {
  given_name: /^\S.{0,199}$/su,
  family_name: /^\S.{0,199}$/su,
  birth_date: /^\d{4}-\d{2}-\d{2}$/,
  personal_administrative_number: /^756\.\d{4}\.\d{4}\.\d{2}$/,
};

/** JSON with sorted keys, so a hash does not depend on the verifier's key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function createEidVerifier(configInput: EidVerifierConfigInput, deps: { clock?: Clock; logger?: EidLogger } = {}): EidVerifier {
  const config = eidVerifierConfigSchema.parse(configInput);
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger;
  const base = config.baseUrl.replace(/\/+$/, '');

  /** One call; `what` names it in errors (never a body: it may carry personal data). */
  async function call(
    what: string,
    path: string,
    init: { method: 'GET' | 'POST'; body?: unknown; signal?: AbortSignal },
  ): Promise<{ status: number; json: unknown }> {
    const timeout = AbortSignal.timeout(config.requestTimeoutMs);
    const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    if (config.accessToken) headers.authorization = `Bearer ${config.accessToken}`;
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, {
        method: init.method,
        headers,
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
        signal,
        redirect: 'error',
      });
    } catch (err) {
      if (init.signal?.aborted) throw err;
      const reason = timeout.aborted ? `no answer within ${config.requestTimeoutMs} ms` : 'unreachable';
      throw new EidVerifierUnavailableError(`e-ID verifier: ${what}: ${reason}`);
    }
    const text = await res.text().catch(() => '');
    if (res.status >= 500 || res.status === 429) throw new EidVerifierUnavailableError(`e-ID verifier: ${what}: HTTP ${res.status}`);
    let json: unknown = undefined;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      if (res.ok) throw new EidVerifierProtocolError(`e-ID verifier: ${what}: the answer is not JSON`);
    }
    return { status: res.status, json };
  }

  function parseManagement(what: string, json: unknown) {
    const parsed = managementResponse.safeParse(json);
    if (!parsed.success) {
      const fields = [...new Set(parsed.error.issues.map((i) => i.path.join('.') || '(body)'))];
      throw new EidVerifierProtocolError(`e-ID verifier: ${what}: unexpected answer (${fields.join(', ')})`);
    }
    return parsed.data;
  }

  async function startVerification(request: StartVerificationRequest = {}): Promise<StartedVerification> {
    const body = {
      accepted_issuer_dids: config.acceptedIssuerDids,
      jwt_secured_authorization_request: true,
      response_mode: config.responseMode,
      dcql_query: buildDcqlQuery(config),
      ...(config.purpose
        ? {
            verification_purpose: {
              scope: config.purpose.scope,
              purpose_name: { default: config.purpose.name },
              purpose_description: { default: config.purpose.description },
            },
          }
        : {}),
    };
    const { status, json } = await call('create a verification', '/management/api/verifications', { method: 'POST', body });
    if (status !== 200 && status !== 201) throw new EidVerifierProtocolError(`e-ID verifier: create a verification: HTTP ${status}`);
    const created = parseManagement('create a verification', json);
    if (created.state !== 'PENDING') throw new EidVerifierProtocolError(`e-ID verifier: create a verification: state ${created.state}`);
    const now = clock.now();
    const deadline = Math.min(request.deadline?.getTime() ?? now + config.attemptDeadlineMs, now + config.verifierTtlSec * 1000);
    logger?.info({ verificationId: created.id }, 'e-ID verification created');
    return {
      verificationId: created.id,
      walletUrl: created.verification_url,
      deeplink: created.verification_deeplink,
      expiresAt: new Date(deadline).toISOString(),
    };
  }

  function verifiedResult(verificationId: string, data: Record<string, Record<string, unknown>[]> | null | undefined): EidVerificationResult {
    const entries = data?.[config.credentialId];
    const credential = entries?.length === 1 ? entries[0] : undefined;
    const missing = (reason: string): EidVerificationResult => {
      logger?.warn({ verificationId, code: ADAPTER_CODES.missingData, reason }, 'e-ID verification unusable');
      return { status: 'failed', code: ADAPTER_CODES.missingData };
    };
    if (!credential) return missing('no single credential under the requested id');
    const claims: EidClaims = {};
    for (const name of config.claims) {
      const value = credential[name];
      // The claim's name only, never its value.
      if (typeof value !== 'string' || !CLAIM_FORMATS[name].test(value)) return missing(`claim ${name} missing or malformed`);
      claims[name] = value;
    }
    if (typeof credential.iss !== 'string' || typeof credential.vct !== 'string') return missing('iss or vct missing');
    if (!config.vctValues.includes(credential.vct)) return missing('vct not accepted');
    logger?.info({ verificationId, state: 'SUCCESS' }, 'e-ID verification verified');
    return {
      status: 'verified',
      claims,
      issuer: credential.iss,
      vct: credential.vct,
      presentationSha256: createHash('sha256').update(canonicalJson(credential)).digest('hex'),
      verifiedAt: new Date(clock.now()).toISOString(),
    };
  }

  async function result(verificationId: string, opts: { afterWebhook?: boolean; signal?: AbortSignal } = {}): Promise<EidVerificationResult> {
    if (!z.uuid().safeParse(verificationId).success) throw new EidVerifierProtocolError('e-ID verifier: not a verification id');
    const what = 'read a verification';
    const { status, json } = await call(what, `/management/api/verifications/${verificationId}`, { method: 'GET', signal: opts.signal });
    if (status === 404) {
      logger?.info({ verificationId, code: ADAPTER_CODES.expired }, 'e-ID verification gone');
      return { status: 'failed', code: ADAPTER_CODES.expired };
    }
    if (status !== 200) throw new EidVerifierProtocolError(`e-ID verifier: ${what}: HTTP ${status}`);
    const answer = parseManagement(what, json);
    if (answer.id !== verificationId) throw new EidVerifierProtocolError(`e-ID verifier: ${what}: the answer is about another verification`);
    switch (answer.state) {
      case 'PENDING':
        if (!opts.afterWebhook) return { status: 'pending' };
        logger?.warn({ verificationId, code: ADAPTER_CODES.notAccepted }, 'e-ID verification still pending after its webhook');
        return { status: 'failed', code: ADAPTER_CODES.notAccepted };
      case 'FAILED': {
        const code = answer.wallet_response?.error_code ?? 'verification_failed';
        logger?.info({ verificationId, state: 'FAILED', code }, 'e-ID verification failed');
        return { status: 'failed', code };
      }
      case 'SUCCESS':
        return verifiedResult(verificationId, answer.wallet_response?.credential_subject_data);
    }
  }

  async function awaitResult(verificationId: string, opts: { deadline: Date; signal?: AbortSignal; notified?: () => boolean }): Promise<EidVerificationResult> {
    let wait = config.pollInitialMs;
    for (;;) {
      // Read before the call: a webhook that came before the read makes a PENDING final.
      const afterWebhook = opts.notified?.() ?? false;
      try {
        const r = await result(verificationId, { afterWebhook, signal: opts.signal });
        if (r.status !== 'pending') return r;
      } catch (err) {
        if (!(err instanceof EidVerifierUnavailableError)) throw err;
        logger?.warn({ verificationId, error: err.message }, 'e-ID verifier unavailable; polling on');
      }
      const left = opts.deadline.getTime() - clock.now();
      if (left <= 0) {
        logger?.info({ verificationId, code: ADAPTER_CODES.deadline }, 'e-ID verification not received in time');
        return { status: 'failed', code: ADAPTER_CODES.deadline };
      }
      // Full jitter on the upper half, so many waiting attempts do not poll in step.
      await clock.sleep(Math.min(left, Math.round(wait / 2 + (Math.random() * wait) / 2)), opts.signal);
      wait = Math.min(config.pollMaxMs, wait * config.pollFactor);
    }
  }

  function parseWebhook(headers: Record<string, string | string[] | undefined>, body: unknown): string | null {
    if (config.webhookApiKey) {
      const got = headers[config.webhookApiKey.header.toLowerCase()];
      const a = Buffer.from(typeof got === 'string' ? got : '');
      const b = Buffer.from(config.webhookApiKey.value);
      if (a.length !== b.length || !timingSafeEqual(a, b)) return null;
    }
    const parsed = webhookBody.safeParse(body);
    // The webhook carries no result: the caller re-reads it with result() (at-least-once, may repeat).
    return parsed.success ? parsed.data.verification_id : null;
  }

  return { startVerification, result, awaitResult, parseWebhook };
}
