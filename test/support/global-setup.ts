// Starts the real servers the stack tests share, once per `npm test`: provisions the Temporal
// servers (cached outside the clone), a fresh embedded PostgreSQL with the migrations, and a
// Temporal dev server in memory. Test files find them through environment variables.
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { BUNDLE_OPTIONS } from '../../worker/worker';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureChromium, ensureTemporalCli, ensureTestServer } from '../../scripts/lib/provision';
import { freePort } from '../../scripts/lib/ports';
import { migrateDeploy, startEmbeddedPostgres } from '../../scripts/lib/postgres';
import { startDevServer } from '../../scripts/lib/temporal-dev-server';
import { ensureTemporalServer } from '../../scripts/lib/temporal-server';
import { ensureWebBuilt } from '../../scripts/lib/web';
import { POOL_ENV, startTimeSkippingPool } from './time-skipping-pool';
import { seedUnits } from './units';

const root = join(__dirname, '..', '..');

export default async function globalSetup(globalConfig?: { maxWorkers?: number }): Promise<void> {
  const startedMs = Date.now();
  const log = (m: string) => process.stderr.write(`[test setup] ${m}\n`);
  // The browser tests' Chromium (Debian's) and the workspace they open.
  // The production Temporal server (deploy/temporal-server) for the suite that runs the engine on it.
  const [temporalCli, testServer, chromium, , temporalServer] = await Promise.all([
    ensureTemporalCli(),
    ensureTestServer(),
    ensureChromium(),
    ensureWebBuilt(log),
    ensureTemporalServer(),
  ]);
  process.env.TEST_CHROMIUM_PATH = chromium;
  process.env.TEST_TEMPORAL_SERVER_BIN = temporalServer;
  process.env.TEMPORAL_TEST_SERVER_PATH = testServer;
  // The workflow suites' time-skipping servers (a JVM each, one per suite), started ahead of
  // need: as many spares as suites can run at once (jest's workers), so a suite's server is up
  // before it asks (test/support/time-skipping-pool.ts). TEST_TIME_SKIPPING_SPARES overrides.
  const spares = Number(process.env.TEST_TIME_SKIPPING_SPARES ?? Math.min(Math.max(globalConfig?.maxWorkers ?? 1, 1), 4));
  const timeSkipping = await startTimeSkippingPool({ bin: testServer, spares, log });
  process.env[POOL_ENV] = timeSkipping.url;

  // A fresh database each run; the postgres user must reach it, so not under /root.
  const dataDir = mkdtempSync(join(tmpdir(), 'guichet-test-pg-'));
  chmodSync(dataDir, 0o755);
  const pg = await startEmbeddedPostgres({ dataDir: join(dataDir, 'data'), port: await freePort(), persistent: false, log });
  await migrateDeploy(pg.url, root);
  await seedUnits(pg.url);
  process.env.TEST_DATABASE_URL = pg.url;

  // One workflow bundle for every test file (each would take seconds to make its own).
  const { code } = await bundleWorkflowCode({ ...BUNDLE_OPTIONS, logger: new DefaultLogger('WARN') });
  writeFileSync(join(dataDir, 'workflow-bundle.js'), code);
  process.env.TEST_WORKFLOW_BUNDLE = join(dataDir, 'workflow-bundle.js');

  // The run's logs (test APIs, workers, `npm start`), searched for personal data in clear by
  // global-teardown with the Temporal servers' histories (test/support/pii-scan.ts).
  process.env.TEST_RUN_STARTED_MS = String(startedMs);
  process.env.TEST_LOG_DIR = join(dataDir, 'logs');
  mkdirSync(process.env.TEST_LOG_DIR);

  const dev = await startDevServer({ bin: temporalCli, port: await freePort() });
  process.env.TEST_TEMPORAL_ADDRESS = dev.address;
  log(`PostgreSQL ${pg.url.replace(/:[^:@]*@/, ':***@')}, Temporal dev server ${dev.address}`);

  (globalThis as Record<string, unknown>).__guichetStack = { pg, dev, timeSkipping, dataDir };
}
