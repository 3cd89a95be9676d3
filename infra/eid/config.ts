// The e-ID verifier adapter's settings, checked once at start: a bad value stops the process
// with a message naming the setting (never its value: a token may be among them).
import { z } from 'zod';

/** The claims the counter needs from the e-ID (issue 16): names, birth date, AVS number. */
export const EID_CLAIMS = ['given_name', 'family_name', 'birth_date', 'personal_administrative_number'] as const;
export type EidClaimName = (typeof EID_CLAIMS)[number];

const did = z.string().regex(/^did:[a-z0-9]+:[^#\s]+$/, 'a DID without #fragment');
const ms = (min: number, max: number, dflt: number) => z.number().int().min(min).max(max).default(dflt);

export const eidVerifierConfigSchema = z.strictObject({
  /** The generic verifier's base URL; the management API is under /management/api. */
  baseUrl: z.url({ protocol: /^https?$/ }),
  /** Issuer DIDs whose credentials are accepted (the DID of the credential's kid, exact match). */
  acceptedIssuerDids: z.array(did).min(1),
  /** The vct values accepted (the production e-ID vct is not published yet: keep it configurable). */
  vctValues: z.array(z.string().min(1)).min(1),
  /** The requested claims (default: all the counter needs). */
  claims: z
    .array(z.enum(EID_CLAIMS))
    .min(1)
    .default([...EID_CLAIMS]),
  /** The DCQL credential id; also the key of credential_subject_data. */
  credentialId: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/)
    .default('eid'),
  /** direct_post.jwt: wallets refuse plain direct_post since 1.17 (swiyu-verifier #456, CD-004). */
  responseMode: z.enum(['direct_post.jwt', 'direct_post']).default('direct_post.jwt'),
  /** Shown to the holder (verification_purpose; spec limits 40 / 1000 characters). */
  purpose: z.strictObject({ scope: z.string().min(1).max(100), name: z.string().min(1).max(40), description: z.string().min(1).max(1000) }).optional(),
  /** A bearer token for a management API protected as an OAuth2 resource server. */
  accessToken: z.string().min(1).optional(),
  /** The static header the verifier's webhook carries (WEBHOOK_API_KEY_HEADER / _VALUE). */
  webhookApiKey: z.strictObject({ header: z.string().regex(/^[A-Za-z0-9-]+$/), value: z.string().min(16) }).optional(),
  /** Each HTTP call's timeout. */
  requestTimeoutMs: ms(100, 60_000, 5_000),
  /** The verifier's VERIFICATION_TTL_SEC: after it, the verification is gone (404). */
  verifierTtlSec: z.number().int().min(60).max(86_400).default(900),
  /** The engine's own deadline for one attempt, when the caller gives none. */
  attemptDeadlineMs: ms(10_000, 86_400_000, 600_000),
  /** How long a verified presentation may be used for an application. */
  proofValidityMs: ms(60_000, 86_400_000, 30 * 60_000),
  /** Polling backoff: first wait, growth factor, longest wait. */
  pollInitialMs: ms(10, 60_000, 500),
  pollFactor: z.number().min(1).max(4).default(1.6),
  pollMaxMs: ms(10, 300_000, 5_000),
});

export type EidVerifierConfig = z.infer<typeof eidVerifierConfigSchema>;
export type EidVerifierConfigInput = z.input<typeof eidVerifierConfigSchema>;

const list = (v: string | undefined) =>
  v
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** From the environment: EID_VERIFIER_URL, EID_ACCEPTED_ISSUER_DIDS, EID_VCT_VALUES (comma-separated), … */
export function loadEidVerifierConfig(env: NodeJS.ProcessEnv = process.env): EidVerifierConfig {
  const num = (v: string | undefined) => (v === undefined || v === '' ? undefined : Number(v));
  const input = {
    baseUrl: env.EID_VERIFIER_URL,
    acceptedIssuerDids: list(env.EID_ACCEPTED_ISSUER_DIDS),
    vctValues: list(env.EID_VCT_VALUES),
    accessToken: env.EID_VERIFIER_TOKEN || undefined,
    webhookApiKey: env.EID_WEBHOOK_API_KEY_HEADER ? { header: env.EID_WEBHOOK_API_KEY_HEADER, value: env.EID_WEBHOOK_API_KEY_VALUE } : undefined,
    requestTimeoutMs: num(env.EID_VERIFIER_TIMEOUT_MS),
    verifierTtlSec: num(env.EID_VERIFIER_TTL_SEC),
    attemptDeadlineMs: num(env.EID_ATTEMPT_DEADLINE_MS),
    proofValidityMs: num(env.EID_PROOF_VALIDITY_MS),
  };
  const parsed = eidVerifierConfigSchema.safeParse(input);
  if (!parsed.success) {
    const names: Record<string, string> = {
      baseUrl: 'EID_VERIFIER_URL',
      acceptedIssuerDids: 'EID_ACCEPTED_ISSUER_DIDS',
      vctValues: 'EID_VCT_VALUES',
      accessToken: 'EID_VERIFIER_TOKEN',
      webhookApiKey: 'EID_WEBHOOK_API_KEY_HEADER / EID_WEBHOOK_API_KEY_VALUE',
      requestTimeoutMs: 'EID_VERIFIER_TIMEOUT_MS',
      verifierTtlSec: 'EID_VERIFIER_TTL_SEC',
      attemptDeadlineMs: 'EID_ATTEMPT_DEADLINE_MS',
      proofValidityMs: 'EID_PROOF_VALIDITY_MS',
    };
    const problems = parsed.error.issues.map((i) => `${names[String(i.path[0])] ?? i.path.join('.')}: ${i.message}`);
    throw new Error(`e-ID verifier settings: ${problems.join('; ')}`);
  }
  return parsed.data;
}
