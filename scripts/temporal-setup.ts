// docker-compose.yml's `temporal-setup` one-shot (and a canton's own deployment): as the operator,
// registers the namespace on a new database and the custom search attributes, retrying until the
// Temporal server answers. Reads TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_RETENTION_DAYS
// (30) and the operator's TEMPORAL_TLS_CA_FILE, TEMPORAL_TLS_CERT_FILE, TEMPORAL_TLS_KEY_FILE,
// TEMPORAL_TLS_SERVER_NAME.
import { temporalTls } from '../infra/temporal';
import { setUpNamespace } from './lib/temporal-server';

async function main() {
  const env = process.env;
  const address = env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233';
  const tls = temporalTls({
    TEMPORAL_TLS_CA_FILE: env.TEMPORAL_TLS_CA_FILE,
    TEMPORAL_TLS_CERT_FILE: env.TEMPORAL_TLS_CERT_FILE,
    TEMPORAL_TLS_KEY_FILE: env.TEMPORAL_TLS_KEY_FILE,
    TEMPORAL_TLS_SERVER_NAME: env.TEMPORAL_TLS_SERVER_NAME,
  });
  if (!tls) throw new Error("TEMPORAL_TLS_CA_FILE, TEMPORAL_TLS_CERT_FILE and TEMPORAL_TLS_KEY_FILE (the operator's) are required");
  const namespace = env.TEMPORAL_NAMESPACE ?? 'default';
  const log = (m: string) => process.stdout.write(`[temporal-setup] ${m}\n`);
  const deadline = Date.now() + 5 * 60_000;
  for (;;) {
    try {
      await setUpNamespace({ address, tls, namespace, retentionDays: Number(env.TEMPORAL_RETENTION_DAYS ?? 30), log });
      log(`namespace ${namespace} ready on ${address}, search attributes registered`);
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`[temporal-setup] failed: ${(err as Error).message}\n`);
  process.exit(1);
});
