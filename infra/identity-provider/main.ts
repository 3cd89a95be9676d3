// The embedded identity provider as a process of its own (`npm start` runs it; the tests too):
//   ISSUER_URL (default http://127.0.0.1:$ISSUER_PORT), ISSUER_PORT (3001), ISSUER_HOST,
//   ISSUER_KEY_FILE (LocalIssuer's key pair, made if missing: `npm run token` signs with it),
//   AUTH_AUDIENCE (guichet-api), STAFF_CLIENT_ID (guichet-staff), STAFF_REDIRECT_ORIGINS
//   (the API origins the workspace is served from, comma-separated). Where the deployment's rule
//   set (RULE_SET, else CANTON's newest) has access rights of its own (NE 4.1), citizens sign
//   in with them through the engine at API_URL: PORTAL_CLIENT_ID (guichet-portal) and
//   PORTAL_REDIRECT_URIS (comma-separated) are the citizens' portal. OPERATOR_CLIENT_ID
//   (temporal-ui), OPERATOR_CLIENT_SECRET and OPERATOR_REDIRECT_URIS: the cluster's Temporal Web UI,
//   where operators only sign in.
import { join } from 'node:path';
import { z } from 'zod';
import { LocalIssuer } from '../local-issuer';
import { startIdentityProvider } from './server';
import { newestRuleSet, ruleSetById } from '../../domain/rule-sets';

const env = z
  .object({
    ISSUER_PORT: z.coerce.number().int().min(0).max(65535).default(3001),
    ISSUER_HOST: z.string().default('127.0.0.1'),
    ISSUER_URL: z.url().optional(),
    ISSUER_KEY_FILE: z.string().default(join(__dirname, '..', '..', '.data', 'secrets', 'issuer.json')),
    AUTH_AUDIENCE: z.string().min(1).default('guichet-api'),
    STAFF_CLIENT_ID: z.string().min(1).default('guichet-staff'),
    STAFF_REDIRECT_ORIGINS: z
      .string()
      .default('http://127.0.0.1:3000')
      .transform((s) =>
        s
          .split(',')
          .map((o) => o.trim().replace(/\/$/, ''))
          .filter(Boolean),
      )
      .pipe(z.array(z.url()).min(1)),
    /** The cluster's Temporal Web UI (operators only): a confidential client, with its secret and callback. */
    OPERATOR_CLIENT_ID: z.string().min(1).default('temporal-ui'),
    OPERATOR_CLIENT_SECRET: z.string().min(16).optional(),
    OPERATOR_REDIRECT_URIS: z
      .string()
      .default('')
      .transform((s) =>
        s
          .split(',')
          .map((o) => o.trim())
          .filter(Boolean),
      )
      .pipe(z.array(z.url())),
    CANTON: z.enum(['JU', 'NE']).default('JU'),
    RULE_SET: z.string().optional(),
    API_URL: z.url().optional(),
    PORTAL_CLIENT_ID: z.string().min(1).default('guichet-portal'),
    PORTAL_REDIRECT_URIS: z
      .string()
      .default('http://127.0.0.1:3000/portal/callback')
      .transform((s) =>
        s
          .split(',')
          .map((o) => o.trim())
          .filter(Boolean),
      )
      .pipe(z.array(z.url()).min(1)),
  })
  .parse(process.env);

/** The counter's own access rights, when its rule set has them and the engine is known. */
function accessRights(key: LocalIssuer) {
  const rules = (env.RULE_SET ? ruleSetById(env.RULE_SET) : newestRuleSet(env.CANTON)).accessRights;
  if (!rules || !env.API_URL) return undefined;
  let cached: { token: string; until: number } | undefined;
  return {
    apiUrl: env.API_URL,
    rules,
    // The provider's own short-lived token for the engine's sign-in routes.
    serviceToken: async () => {
      if (!cached || cached.until < Date.now()) {
        cached = { token: await key.sign({ role: 'identity-provider', sub: 'identity-provider', ttl: '5m' }), until: Date.now() + 4 * 60_000 };
      }
      return cached.token;
    },
  };
}

async function main() {
  const issuerUrl = env.ISSUER_URL ?? `http://127.0.0.1:${env.ISSUER_PORT}`;
  const key = await LocalIssuer.persistent(env.ISSUER_KEY_FILE, issuerUrl, env.AUTH_AUDIENCE);
  const idp = await startIdentityProvider({
    issuer: issuerUrl,
    port: env.ISSUER_PORT,
    host: env.ISSUER_HOST,
    signingKey: key.signingJwk(),
    audience: env.AUTH_AUDIENCE,
    staffClient: { clientId: env.STAFF_CLIENT_ID, origins: env.STAFF_REDIRECT_ORIGINS },
    portalClient: { clientId: env.PORTAL_CLIENT_ID, redirectUris: env.PORTAL_REDIRECT_URIS },
    operatorClient:
      env.OPERATOR_CLIENT_SECRET && env.OPERATOR_REDIRECT_URIS.length
        ? { clientId: env.OPERATOR_CLIENT_ID, clientSecret: env.OPERATOR_CLIENT_SECRET, redirectUris: env.OPERATOR_REDIRECT_URIS }
        : undefined,
    accessRights: accessRights(key),
  });
  process.stdout.write(`identity provider listening at ${idp.issuer}\n`);
  const stop = () => void idp.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`identity provider failed: ${(err as Error).message}\n`);
  process.exit(1);
});
