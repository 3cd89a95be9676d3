// Runtime configuration, read once from the environment and validated: a bad value stops
// the process with a message naming the variable.
import { z } from 'zod';
import { DEFAULT_ASSURANCE, legalEffectAcrOf, type AssurancePolicy } from '../domain/assurance';
import { localDay } from '../domain/days';
import { profiles, RULE_SETS, type CantonCode } from '../domain/profiles';
import { deploymentRuleSet, ruleSetById } from '../domain/rule-sets';

const port = z.coerce.number().int().min(1).max(65535);
const url = z.url();

/** "id:base64key,id2:base64key2" — 32-byte AES keys; the active key encrypts, all decrypt. */
const keyring = z.string().transform((raw, ctx) => {
  const keys = new Map<string, Buffer>();
  for (const entry of raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const sep = entry.indexOf(':');
    const id = entry.slice(0, sep);
    const key = Buffer.from(entry.slice(sep + 1), 'base64');
    if (sep <= 0 || !/^[A-Za-z0-9._-]+$/.test(id)) {
      ctx.addIssue({ code: 'custom', message: `entry "${entry.slice(0, 12)}…" is not of the form keyId:base64Key` });
      return z.NEVER;
    }
    if (key.length !== 32) {
      ctx.addIssue({ code: 'custom', message: `key "${id}" must be 32 bytes (base64 of 32 random bytes), got ${key.length}` });
      return z.NEVER;
    }
    keys.set(id, key);
  }
  if (keys.size === 0) {
    ctx.addIssue({ code: 'custom', message: 'at least one key is required' });
    return z.NEVER;
  }
  return keys;
});

const csv = z
  .string()
  .default('')
  .transform((s) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean),
  );

export const configSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    HOST: z.string().default('127.0.0.1'),
    PORT: port.default(3000),
    PUBLIC_URL: url.optional(),
    /** The canton whose counter this deployment runs (its profile in domain/profiles.ts). */
    CANTON: z.enum(['JU', 'NE']).default('JU'),
    /** The rule set the deployment runs (domain/profiles.ts RULE_SETS); default the canton's newest. */
    RULE_SET: z.string().trim().min(1).optional(),
    TEMPORAL_ADDRESS: z
      .string()
      .regex(/^[^:\s]+:\d+$/, 'must be host:port')
      .default('127.0.0.1:7233'),
    TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
    /**
     * In production a unit's webhook never reaches a loopback, private or internal address
     * (infra/outbound.ts) unless it is in one of these CIDR blocks (a canton's own network).
     */
    WEBHOOK_ALLOWED_NETWORKS: z.preprocess(
      (v) =>
        typeof v === 'string'
          ? v
              .split(',')
              .map((x) => x.trim())
              .filter(Boolean)
          : v,
      z.array(z.string().regex(/^[0-9a-fA-F:.]+\/\d{1,3}$/, 'must be CIDR blocks such as 10.20.0.0/16, comma-separated')).default([]),
    ),
    /** mTLS to the Temporal frontend (required in production): the CA that signs the server's certificate, this process's certificate and key (PEM files). */
    TEMPORAL_TLS_CA_FILE: z.preprocess((v) => (v === '' ? undefined : v), z.string().optional()),
    TEMPORAL_TLS_CERT_FILE: z.preprocess((v) => (v === '' ? undefined : v), z.string().optional()),
    TEMPORAL_TLS_KEY_FILE: z.preprocess((v) => (v === '' ? undefined : v), z.string().optional()),
    /** The name the server's certificate is checked against (default: the host of TEMPORAL_ADDRESS). */
    TEMPORAL_TLS_SERVER_NAME: z.preprocess((v) => (v === '' ? undefined : v), z.string().optional()),
    TEMPORAL_TASK_QUEUE: z.string().min(1).default('guichet'),
    DATABASE_URL: url.refine((u) => /^postgres(ql)?:\/\//.test(u), 'must be a postgresql:// URL'),
    AUTH_ISSUER: url,
    /** Default: the jwks_uri of AUTH_ISSUER's discovery document. Empty counts as unset. */
    AUTH_JWKS_URL: z.preprocess((v) => (v === '' ? undefined : v), url.optional()),
    AUTH_AUDIENCE: z.string().min(1).default('guichet-api'),
    /** The longest an access token may live (exp - iat): a token without exp, or living longer, is refused. */
    /** The acr values of the identity provider, weakest first, and the weakest each kind of act accepts (domain/assurance.ts). */
    AUTH_ACR_LEVELS: csv,
    AUTH_ACR_READ: z.string().min(1).default(DEFAULT_ASSURANCE.read),
    /** Default: the e-ID; where the rule set has access rights of its own, their two factors (NE 4.4). */
    AUTH_ACR_LEGAL_EFFECT: z.string().min(1).optional(),
    AUTH_ACR_STAFF: z.string().min(1).default(DEFAULT_ASSURANCE.staff),
    /** The canton's e-ID verifier (infra/eid/config.ts reads the rest); required in production. */
    EID_VERIFIER_URL: z.preprocess((v) => (v === '' ? undefined : v), url.optional()),
    /** PEM files of the recognised qualified certification authorities (infra/qes); required in production. */
    QES_TRUSTED_CA_FILES: z.preprocess((v) => (v === '' ? undefined : v), z.string().optional()),
    AUTH_MAX_TOKEN_LIFETIME_S: z.coerce.number().int().min(60).max(86_400).default(3600),
    /** The Chancellery workspace's public client at the identity provider (code flow + PKCE). */
    STAFF_CLIENT_ID: z.string().min(1).default('guichet-staff'),
    PAYLOAD_KEYS: keyring,
    PAYLOAD_ACTIVE_KEY_ID: z.string().min(1),
    CODEC_CORS_ORIGINS: csv,
    /** The cantonal resident register and the protection authority's register (HTTP adapters). */
    RESIDENT_REGISTER_URL: url,
    PROTECTION_REGISTER_URL: url,
    // Below the 30 s the workflow gives a whole lookup (two registers, in parallel).
    REGISTER_TIMEOUT_MS: z.coerce.number().int().min(100).max(20_000).default(5000),
    /** The commercial register (Zefix's REST API and the persons' extension, fakes/commercial-register); required in production. */
    COMMERCIAL_REGISTER_URL: z.preprocess((v) => (v === '' ? undefined : v), url.optional()),
    COMMERCIAL_REGISTER_USER: z.preprocess((v) => (v === '' ? undefined : v), z.string().optional()),
    COMMERCIAL_REGISTER_PASSWORD: z.preprocess((v) => (v === '' ? undefined : v), z.string().optional()),
    /**
     * The SMS provider (Twilio's Messages API, fakes/sms) for sign-in and transaction codes
     * (NE 4.1, 4.5); required in production where the counter sends codes by SMS.
     */
    SMS_GATEWAY_URL: z.preprocess((v) => (v === '' ? undefined : v), url.optional()),
    /** The AccountSid in the path; default SMS_GATEWAY_USER (Basic auth with the AccountSid itself). */
    SMS_GATEWAY_ACCOUNT_ID: z.preprocess((v) => (v === '' ? undefined : v), z.string().optional()),
    SMS_GATEWAY_USER: z.preprocess((v) => (v === '' ? undefined : v), z.string().optional()),
    SMS_GATEWAY_PASSWORD: z.preprocess((v) => (v === '' ? undefined : v), z.string().optional()),
    /** The From of every SMS: an alphanumeric sender ID (1-11 letters, digits, spaces) or an E.164 number. */
    SMS_SENDER: z.preprocess(
      (v) => (v === '' ? undefined : v),
      z
        .string()
        .regex(/^(?:\+[1-9]\d{6,14}|(?=[A-Za-z0-9 ]*[A-Za-z])[A-Za-z0-9 ]{1,11})$/, 'must be an E.164 number or a sender ID of 1-11 letters, digits and spaces')
        .optional(),
    ),
    SMS_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
    /** The postal service's gateway for registered letters (Art. 16.5). */
    POSTAL_GATEWAY_URL: url,
    POSTAL_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
    // A budget of ~1 GiB of worker memory for the cache: `npm run bench` (section 6,
    // BENCH_ONLY=bundle: a fresh worker's RSS growth over 500 waiting contract workflows)
    // measured 0.36-0.39 MiB per cached workflow with this bundle (2.3-2.4 MiB while it carried
    // date-holidays), and 1024 / 0.4 ≈ 2,500. Under the rollout (section 4, garbage included)
    // the worker peaked at ~2.3 GiB with it, ~3.4 GiB with the old bundle at 500. The SDK's
    // default (from the heap size) ran the worker out of memory with the old bundle.
    WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(10).max(100_000).default(2500),
    SMTP_URL: url.refine((u) => /^smtps?:\/\//.test(u), 'must be an smtp:// or smtps:// URL'),
    MAIL_FROM: z.string().min(3).default('Guichet virtuel <guichet@localhost>'),
    /** Where reminders of waiting tasks go: the Chancellery's and the protection authority's inboxes. */
    CHANCELLERY_MAIL: z.email().default('chancellerie@localhost'),
    AUTHORITY_MAIL: z.email().default('apea@localhost'),
    /**
     * A static bearer token for Prometheus (`authorization: { credentials_file }`) to scrape
     * /metrics; operators' own tokens are accepted too. Without either, /metrics answers 401.
     */
    METRICS_TOKEN: z.preprocess((v) => (v === '' ? undefined : v), z.string().min(32, 'at least 32 characters').optional()),
    /** Acts (calls that are not a GET) per signed-in subject per minute, shared by the replicas (429 beyond). */
    RATE_LIMIT_WRITES_PER_MINUTE: z.coerce.number().int().min(1).default(300),
    /** Anonymous sign-in attempts (/staff/auth/token, /codec/session) per address per minute. */
    RATE_LIMIT_ANONYMOUS_PER_MINUTE: z.coerce.number().int().min(1).default(30),
    /** The identity provider's sign-in steps for one login (user code or challenge) per minute; they do not count against its subject. */
    RATE_LIMIT_SIGN_INS_PER_LOGIN_PER_MINUTE: z.coerce.number().int().min(1).default(10),
    BODY_LIMIT: z
      .string()
      .regex(/^\d+(b|kb|mb)$/i, 'must be a size such as 100kb')
      .default('100kb'),
    WORKFLOW_BUNDLE_PATH: z.string().optional(),
    /**
     * The canton's seal on the documents the engine issues (Art. 15: a commune's attestation):
     * PEM files, a PKCS#8 private key and its certificate (then its chain). `npm start` makes a
     * demo seal; required in production. The API serves the certificate, the worker seals.
     */
    SEAL_KEY_FILE: z.preprocess((v) => (v === '' ? undefined : v), z.string().optional()),
    SEAL_CERTIFICATE_FILE: z.preprocess((v) => (v === '' ? undefined : v), z.string().optional()),
    /**
     * Online payment of fees: the payment provider (Datatrans's JSON API v1, fakes/payments),
     * where it calls back (the API's public URL) and where it sends the user afterwards.
     */
    PAYMENT_PROVIDER_URL: z.preprocess((v) => (v === '' ? undefined : v), url.optional()),
    PAYMENT_PAGE_URL: z.preprocess((v) => (v === '' ? undefined : v), url.optional()),
    PAYMENT_MERCHANT_ID: z.preprocess((v) => (v === '' ? undefined : v), z.string().optional()),
    PAYMENT_PASSWORD: z.preprocess((v) => (v === '' ? undefined : v), z.string().optional()),
    PAYMENT_SIGN_KEY: z.preprocess(
      (v) => (v === '' ? undefined : v),
      z
        .string()
        .regex(/^[0-9a-fA-F]{32,}$/, 'hex')
        .optional(),
    ),
    PUBLIC_API_URL: z.preprocess((v) => (v === '' ? undefined : v), url.optional()),
    PORTAL_URL: z.preprocess((v) => (v === '' ? undefined : v), url.optional()),
  })
  .superRefine((c, ctx) => {
    if (c.RULE_SET) {
      const rs = RULE_SETS.find((r) => r.ruleSet.id === c.RULE_SET);
      if (!rs) ctx.addIssue({ code: 'custom', path: ['RULE_SET'], message: `unknown rule set; known: ${RULE_SETS.map((r) => r.ruleSet.id).join(', ')}` });
      else if (rs.canton !== c.CANTON)
        ctx.addIssue({ code: 'custom', path: ['RULE_SET'], message: `${c.RULE_SET} is ${rs.canton}'s rule set, not CANTON ${c.CANTON}'s` });
    }
    if (!c.PAYLOAD_KEYS.has(c.PAYLOAD_ACTIVE_KEY_ID)) {
      ctx.addIssue({ code: 'custom', path: ['PAYLOAD_ACTIVE_KEY_ID'], message: `no key "${c.PAYLOAD_ACTIVE_KEY_ID}" in PAYLOAD_KEYS` });
    }
    const levels = c.AUTH_ACR_LEVELS.length ? c.AUTH_ACR_LEVELS : DEFAULT_ASSURANCE.levels;
    for (const name of ['AUTH_ACR_READ', 'AUTH_ACR_LEGAL_EFFECT', 'AUTH_ACR_STAFF'] as const) {
      if (c[name] !== undefined && !levels.includes(c[name]))
        ctx.addIssue({ code: 'custom', path: [name], message: `"${c[name]}" is not one of AUTH_ACR_LEVELS (${levels.join(', ')})` });
    }
    // The adapter needs all of them once there is a provider to talk to.
    if (c.SMS_GATEWAY_URL)
      for (const name of ['SMS_GATEWAY_USER', 'SMS_GATEWAY_PASSWORD', 'SMS_SENDER'] as const)
        if (!c[name]) ctx.addIssue({ code: 'custom', path: [name], message: 'required with SMS_GATEWAY_URL' });
    if (!!c.SEAL_KEY_FILE !== !!c.SEAL_CERTIFICATE_FILE)
      ctx.addIssue({
        code: 'custom',
        path: [c.SEAL_KEY_FILE ? 'SEAL_CERTIFICATE_FILE' : 'SEAL_KEY_FILE'],
        message: 'SEAL_KEY_FILE and SEAL_CERTIFICATE_FILE go together',
      });
    const tls = ['TEMPORAL_TLS_CA_FILE', 'TEMPORAL_TLS_CERT_FILE', 'TEMPORAL_TLS_KEY_FILE'] as const;
    if (tls.some((n) => c[n]) || c.NODE_ENV === 'production')
      for (const name of tls)
        if (!c[name])
          ctx.addIssue({
            code: 'custom',
            path: [name],
            message:
              c.NODE_ENV === 'production'
                ? 'required in production: the Temporal frontend takes mTLS clients only'
                : 'the three TEMPORAL_TLS_*_FILE go together',
          });
    if (c.PAYMENT_PROVIDER_URL)
      for (const name of ['PAYMENT_MERCHANT_ID', 'PAYMENT_PASSWORD', 'PAYMENT_SIGN_KEY', 'PUBLIC_API_URL'] as const)
        if (!c[name]) ctx.addIssue({ code: 'custom', path: [name], message: 'required with PAYMENT_PROVIDER_URL' });
    if (c.NODE_ENV === 'production') {
      if (!c.SEAL_KEY_FILE)
        ctx.addIssue({ code: 'custom', path: ['SEAL_KEY_FILE'], message: "required in production: issued documents carry the canton's seal" });
      // Outside development the keys to the API come from an issuer over HTTPS only.
      if (!c.AUTH_ISSUER.startsWith('https://')) ctx.addIssue({ code: 'custom', path: ['AUTH_ISSUER'], message: 'must be an https:// URL in production' });
      if (c.AUTH_JWKS_URL && !c.AUTH_JWKS_URL.startsWith('https://'))
        ctx.addIssue({ code: 'custom', path: ['AUTH_JWKS_URL'], message: 'must be an https:// URL in production' });
      if (!c.EID_VERIFIER_URL)
        ctx.addIssue({ code: 'custom', path: ['EID_VERIFIER_URL'], message: 'required in production: onboarding needs the e-ID (Art. 3)' });
      if (!c.COMMERCIAL_REGISTER_URL)
        ctx.addIssue({
          code: 'custom',
          path: ['COMMERCIAL_REGISTER_URL'],
          message: 'required in production: contracts of legal persons need the signing powers of the commercial register (Art. 11-13)',
        });
      // NE 4.1: sign-in with "un code reçu par SMS"; NE 4.5: one-time transaction codes.
      if (c.CANTON === 'NE' && !c.SMS_GATEWAY_URL)
        ctx.addIssue({
          code: 'custom',
          path: ['SMS_GATEWAY_URL'],
          message: 'required in production for CANTON NE: sign-in and transaction codes are sent by SMS (NE 4.1, 4.5)',
        });
      if (!c.QES_TRUSTED_CA_FILES)
        ctx.addIssue({
          code: 'custom',
          path: ['QES_TRUSTED_CA_FILES'],
          message: 'required in production: contracts and terms acceptances need verified qualified signatures',
        });
    }
  });

export type Config = z.infer<typeof configSchema>;

/** What each kind of act needs, from the AUTH_ACR_* settings. */
export const assuranceOf = (c: Config): AssurancePolicy => ({
  levels: c.AUTH_ACR_LEVELS.length ? c.AUTH_ACR_LEVELS : [...DEFAULT_ASSURANCE.levels],
  read: c.AUTH_ACR_READ,
  legalEffect: c.AUTH_ACR_LEGAL_EFFECT ?? legalEffectAcrOf(c.RULE_SET ? ruleSetById(c.RULE_SET) : profiles[c.CANTON]),
  staff: c.AUTH_ACR_STAFF,
});

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || '(config)'}: ${i.message}`));
  }
  return parsed.data;
}

/** For entry points: print what is wrong and stop, instead of a stack trace. */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): Config {
  try {
    return loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
}

/**
 * The rule set this deployment runs (RULE_SET, default the canton's newest), logged once at
 * start, with a warning when it is not in force today.
 */
export function deploymentRuleSetId(
  config: { CANTON: CantonCode; RULE_SET?: string },
  logger: { info(o: object, msg: string): void; warn(o: object, msg: string): void },
): string {
  const today = localDay(new Date(), profiles[config.CANTON].timeZone);
  const { ruleSet, warning } = deploymentRuleSet(config.CANTON, config.RULE_SET, today);
  const id = ruleSet.ruleSet.id;
  if (warning) logger.warn({ ruleSet: id }, warning);
  else logger.info({ ruleSet: id }, `rule set ${id}`);
  return id;
}
