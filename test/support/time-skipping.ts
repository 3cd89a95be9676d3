// A workflow suite on the time-skipping server: one server (a JVM), one worker on the shared
// bundle, real PostgreSQL and the adapters' stand-in services, payloads under the fixture key
// (so RECORD_HISTORIES=1 can keep its runs as replay fixtures).
import { randomUUID } from 'node:crypto';
import { join, relative } from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { createTemporalContractEngine } from '../../app/gateways';
import { createTemporalRetentionEngine } from '../../app/gateways';
import type { RetentionEngine } from '../../activities/ports';
import type { RetentionInput } from '../../workflows/retention/definitions';
import { dataConverter } from '../../infra/codec';
import { createDb } from '../../infra/db';
import { createDbDataKeyStore } from '../../infra/data-keys';
import { ensureSearchAttributes } from '../../infra/namespace';
import { fixtureDataKey, fixtureKeyring } from './histories';
import { scanTimeSkippingServer } from './pii-scan';
import { bundle, createTestDatabase, quietRuntime, startAdapters } from './stack';

/** Records what would be scheduled: a retention timer of years would be the next thing time skips to in other suites. */
function recordingRetention(): RetentionEngine & { scheduled: RetentionInput[] } {
  const scheduled: RetentionInput[] = [];
  return { scheduled, schedule: async (i) => void scheduled.push(i), holdsChanged: async () => undefined };
}

export async function startTimeSkippingSuite(opts: { fixturePath?: string; ownDatabase?: boolean; realRetention?: boolean } = {}) {
  quietRuntime();
  const { keys, activeKeyId } = fixtureKeyring();
  const db = createDb(opts.ownDatabase ? await createTestDatabase() : process.env.TEST_DATABASE_URL!);
  const dataKeys = createDbDataKeyStore(db, keys, activeKeyId, { makeKey: fixtureDataKey(keys) });
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: process.env.TEMPORAL_TEST_SERVER_PATH! } },
    client: { dataConverter: dataConverter(keys, activeKeyId, dataKeys) },
  });
  await ensureSearchAttributes(env.connection, env.namespace ?? 'default');
  const adapters = await startAdapters(opts.fixturePath);
  const taskQueue = `ts-${randomUUID()}`;
  const retention = opts.realRetention ? createTemporalRetentionEngine(env.client, taskQueue) : recordingRetention();
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await bundle(),
    activities: createActivities({ db, dataKeys, ...adapters.adapters, contracts: createTemporalContractEngine(env.client, taskQueue), retention }),
    dataConverter: dataConverter(keys, activeKeyId, dataKeys),
  });
  const running = worker.run();
  return {
    env,
    db,
    dataKeys,
    retention,
    adapters,
    taskQueue,
    async stop() {
      worker.shutdown();
      await running;
      // The server goes with this file: its histories are searched for personal data in clear
      // now, the result left for global-teardown (test/support/pii-scan.ts). This server has no
      // ListWorkflowExecutions (UNIMPLEMENTED): its executions come from the older open and
      // closed lists, which it does implement (ids built from the database rows as a last resort).
      const testPath = (globalThis as { expect?: { getState(): { testPath?: string } } }).expect?.getState().testPath ?? 'time-skipping suite';
      await scanTimeSkippingServer(env.connection, env.namespace ?? 'default', relative(join(__dirname, '..', '..'), testPath));
      await adapters.close();
      await db.$disconnect();
      await env.teardown();
    },
  };
}

export type TimeSkippingSuite = Awaited<ReturnType<typeof startTimeSkippingSuite>>;
