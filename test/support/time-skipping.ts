// A workflow suite on the time-skipping server: one server (a JVM), one worker on the shared
// bundle, real PostgreSQL and the adapters' stand-in services, payloads under the fixture key
// (so RECORD_HISTORIES=1 can keep its runs as replay fixtures).
import { randomUUID } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { createTemporalContractEngine } from '../../activities/contract-engine';
import { dataConverter } from '../../infra/codec';
import { createDb } from '../../infra/db';
import { ensureSearchAttributes } from '../../infra/namespace';
import { fixtureKeyring } from './histories';
import { bundle, createTestDatabase, quietRuntime, startAdapters } from './stack';

export async function startTimeSkippingSuite(opts: { fixturePath?: string; ownDatabase?: boolean } = {}) {
  quietRuntime();
  const { keys, activeKeyId } = fixtureKeyring();
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: process.env.TEMPORAL_TEST_SERVER_PATH! } },
    client: { dataConverter: dataConverter(keys, activeKeyId) },
  });
  await ensureSearchAttributes(env.connection, env.namespace ?? 'default');
  const db = createDb(opts.ownDatabase ? await createTestDatabase() : process.env.TEST_DATABASE_URL!);
  const adapters = await startAdapters(opts.fixturePath);
  const taskQueue = `ts-${randomUUID()}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await bundle(),
    activities: createActivities({ db, ...adapters.adapters, contracts: createTemporalContractEngine(env.client, taskQueue) }),
    dataConverter: dataConverter(keys, activeKeyId),
  });
  const running = worker.run();
  return {
    env,
    db,
    adapters,
    taskQueue,
    async stop() {
      worker.shutdown();
      await running;
      await adapters.close();
      await db.$disconnect();
      await env.teardown();
    },
  };
}

export type TimeSkippingSuite = Awaited<ReturnType<typeof startTimeSkippingSuite>>;
