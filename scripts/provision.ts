// `npm run provision`: installs now what `npm start` and `npm test` would install on first
// use — the Temporal CLI (dev server and Web UI), the time-skipping test server, Debian's
// Chromium for the browser tests, and for `npm run start:cluster` the production Temporal
// server (deploy/temporal-server) and Debian's HAProxy — pinned and cached outside the clone.
// Prints where each is.
import { cacheDir, ensureChromium, ensureTemporalCli, ensureTestServer, TEMPORAL_CLI_VERSION, TEST_SERVER_VERSION } from './lib/provision';
import { ensureHaproxy } from './lib/cluster';
import { ensureTemporalServer, TEMPORAL_SERVER_VERSION } from './lib/temporal-server';

async function main(): Promise<void> {
  const log = (m: string) => process.stderr.write(`[provision] ${m}\n`);
  log(`cache: ${cacheDir()}`);
  const cli = await ensureTemporalCli(log);
  log(`Temporal CLI ${TEMPORAL_CLI_VERSION}: ${cli}`);
  const testServer = await ensureTestServer(log);
  log(`time-skipping test server ${TEST_SERVER_VERSION}: ${testServer}`);
  const chromium = await ensureChromium(log);
  log(`Chromium (browser tests): ${chromium}`);
  const server = await ensureTemporalServer(log);
  log(`Temporal server ${TEMPORAL_SERVER_VERSION} with the guichet's authorizer (start:cluster): ${server}`);
  const haproxy = await ensureHaproxy(log);
  log(`HAProxy (start:cluster's entry point): ${haproxy}`);
}

main().catch((err: unknown) => {
  process.stderr.write(`[provision] failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
