// A workflow suite on the time-skipping server: one server (a JVM) of its own, one worker on
// the shared bundle, real PostgreSQL and the adapters' stand-in services, payloads under the
// fixture key (so RECORD_HISTORIES=1 can keep its runs as replay fixtures). The server comes
// from the run's pool, already started (test/support/time-skipping-pool.ts), not from
// createTimeSkipping, whose fixed 5 s start-up window a loaded machine misses.
import { randomUUID } from 'node:crypto';
import { join, relative } from 'node:path';
import { TestWorkflowEnvironment, type ClientOptionsForTestEnv } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { credentialKeyFrom } from '../../activities/credentials';
import { createTemporalContractEngine } from '../../app/gateways';
import { createTemporalRetentionEngine } from '../../app/gateways';
import { createTemporalAccessRights, createTemporalProxyEngine } from '../../app/gateways';
import type { RetentionEngine } from '../../activities/ports';
import type { RetentionInput } from '../../workflows/retention/definitions';
import { dataConverter, workerDataConverter } from '../../infra/codec';
import type { SealKey } from '../../infra/seal';
import { createDb } from '../../infra/db';
import { createDbDataKeyStore } from '../../infra/data-keys';
import { ensureSearchAttributes } from '../../infra/namespace';
import { fixtureDataKey, fixtureKeyring } from './histories';
import { scanTimeSkippingServer } from './pii-scan';
import { bundle, createTestDatabase, quietRuntime, startAdapters } from './stack';
import { claimTimeSkippingServer } from './time-skipping-pool';

type CreateOptions = {
  server: { type: 'existing' };
  address: string;
  client?: ClientOptionsForTestEnv;
  supportsTimeSkipping: boolean;
};

/**
 * A time-skipping environment on a test server that is already running. The SDK has no public
 * way to it: createTimeSkipping always starts its own server (with the 5 s window), and
 * createFromExistingServer always says supportsTimeSkipping: false (a plain Client, no
 * TestService, env.sleep a real sleep). Its private create() takes both, `existing` and
 * `supportsTimeSkipping: true`: the connections get the TestService, the client is the
 * TimeSkippingClient (results awaited with time skipping unlocked), exactly as
 * createTimeSkipping builds them, and teardown() closes the connections and leaves the server
 * to its owner. Checked against @temporalio/testing 1.24.0 (pinned): re-check on upgrade.
 */
async function connectTimeSkipping(address: string, client: ClientOptionsForTestEnv): Promise<TestWorkflowEnvironment> {
  const create = (TestWorkflowEnvironment as unknown as { create?: (o: CreateOptions) => Promise<TestWorkflowEnvironment> }).create;
  if (typeof create !== 'function')
    throw new Error('@temporalio/testing has no TestWorkflowEnvironment.create any more: see connectTimeSkipping in test/support/time-skipping.ts');
  const env = await create.call(TestWorkflowEnvironment, { server: { type: 'existing' }, address, client, supportsTimeSkipping: true });
  if (!env.supportsTimeSkipping || !env.connection.testService) {
    await env.teardown();
    throw new Error(`the environment on ${address} has no time skipping: see connectTimeSkipping in test/support/time-skipping.ts`);
  }
  return env;
}

/** Records what would be scheduled: a retention timer of years would be the next thing time skips to in other suites. */
function recordingRetention(): RetentionEngine & { scheduled: RetentionInput[] } {
  const scheduled: RetentionInput[] = [];
  return { scheduled, schedule: async (i) => void scheduled.push(i), holdsChanged: async () => undefined, cancel: async () => undefined };
}

export async function startTimeSkippingSuite(opts: { fixturePath?: string; ownDatabase?: boolean; realRetention?: boolean; seal?: SealKey } = {}) {
  quietRuntime();
  const { keys, activeKeyId } = fixtureKeyring();
  const db = createDb(opts.ownDatabase ? await createTestDatabase() : process.env.TEST_DATABASE_URL!);
  const dataKeys = createDbDataKeyStore(db, keys, activeKeyId, { makeKey: fixtureDataKey(keys) });
  const server = await claimTimeSkippingServer();
  let env: TestWorkflowEnvironment;
  try {
    env = await connectTimeSkipping(server.address, { dataConverter: dataConverter(keys, activeKeyId, dataKeys) });
  } catch (err) {
    await server.release();
    throw err;
  }
  await ensureSearchAttributes(env.connection, env.namespace ?? 'default');
  const adapters = await startAdapters(opts.fixturePath);
  const taskQueue = `ts-${randomUUID()}`;
  const retention = opts.realRetention ? createTemporalRetentionEngine(env.client, taskQueue) : recordingRetention();
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await bundle(),
    activities: createActivities({
      db,
      dataKeys,
      ...adapters.adapters,
      contracts: createTemporalContractEngine(env.client, taskQueue),
      retention,
      proxies: createTemporalProxyEngine(env.client, taskQueue),
      accessRights: createTemporalAccessRights(env.client, taskQueue, 'NE-GU-2025'),
      credentialKey: credentialKeyFrom(activeKeyId, keys.get(activeKeyId)!),
      seal: opts.seal,
    }),
    dataConverter: workerDataConverter(keys, activeKeyId, dataKeys),
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
      await server.release();
    },
  };
}

export type TimeSkippingSuite = Awaited<ReturnType<typeof startTimeSkippingSuite>>;
