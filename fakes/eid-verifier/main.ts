// Runs the fake e-ID verifier on its own: `node --import tsx fakes/eid-verifier/main.ts`.
// EID_TRUST_LIST (required): a JSON file { "issuers": { "<did>#<key>": <public JWK> } };
// EID_STATUS_LIST_ORIGINS: where status lists may be fetched (comma-separated origins);
// EID_VERIFIER_PORT (default 4030), EID_VERIFIER_DID, EID_VERIFICATION_TTL_SEC (default 900);
// EID_WEBHOOK_URL with EID_WEBHOOK_API_KEY_HEADER / EID_WEBHOOK_API_KEY_VALUE.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { startFakeEidVerifier } from './server';

const trustListSchema = z.strictObject({
  issuers: z.record(
    z.string().regex(/^did:[a-z0-9]+:[^#\s]+#[^#\s]+$/, 'an absolute kid did#key'),
    z.looseObject({ kty: z.literal('EC'), crv: z.literal('P-256'), x: z.string(), y: z.string(), d: z.undefined('a public key only').optional() }),
  ),
});

function setting(name: string, fallback?: string): string {
  const value = process.env[name] ?? fallback;
  if (value === undefined || value === '') throw new Error(`${name} is required`);
  return value;
}

async function main(): Promise<void> {
  const port = Number(setting('EID_VERIFIER_PORT', '4030'));
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error('EID_VERIFIER_PORT must be a port number');
  const trustListPath = resolve(setting('EID_TRUST_LIST'));
  const trustList = trustListSchema.safeParse(JSON.parse(readFileSync(trustListPath, 'utf8')));
  if (!trustList.success) {
    throw new Error(`${trustListPath}: ${trustList.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const webhookUrl = process.env.EID_WEBHOOK_URL;
  const verifier = await startFakeEidVerifier({
    port,
    verifierDid: process.env.EID_VERIFIER_DID || undefined,
    issuerKeys: trustList.data.issuers,
    statusListOrigins: (process.env.EID_STATUS_LIST_ORIGINS ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    verificationTtlSec: Number(setting('EID_VERIFICATION_TTL_SEC', '900')),
    webhook: webhookUrl
      ? { url: webhookUrl, apiKeyHeader: process.env.EID_WEBHOOK_API_KEY_HEADER, apiKeyValue: process.env.EID_WEBHOOK_API_KEY_VALUE }
      : undefined,
  });
  process.stdout.write(
    `fake e-ID verifier on ${verifier.url} (client_id ${verifier.clientId})\n` +
      `  management API: ${verifier.url}/management/api/verifications\n` +
      `  wallet API:     ${verifier.url}/oid4vp/api/request-object/{id}\n` +
      `  verifier key:   ${verifier.url}/_control/verifier-jwks\n` +
      `  issuers:        ${Object.keys(trustList.data.issuers).length} in the trust list\n`,
  );
  const stop = () => {
    process.off('SIGINT', stop).off('SIGTERM', stop);
    verifier.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop).on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`fake e-ID verifier: ${String((err as Error)?.message ?? err)}\n`);
  process.exit(1);
});
