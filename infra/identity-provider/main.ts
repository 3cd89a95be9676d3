// The embedded identity provider as a process of its own (`npm start` runs it; the tests too):
//   ISSUER_URL (default http://127.0.0.1:$ISSUER_PORT), ISSUER_PORT (3001), ISSUER_HOST,
//   ISSUER_KEY_FILE (LocalIssuer's key pair, made if missing: `npm run token` signs with it),
//   AUTH_AUDIENCE (guichet-api), STAFF_CLIENT_ID (guichet-staff), STAFF_REDIRECT_ORIGINS
//   (the API origins the workspace is served from, comma-separated).
import { join } from 'node:path';
import { z } from 'zod';
import { LocalIssuer } from '../local-issuer';
import { startIdentityProvider } from './server';

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
  })
  .parse(process.env);

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
