// Wiring only: connection, dependencies, Worker.create.
import { existsSync, readFileSync } from 'node:fs';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { rolloutTaskQueue } from '../workflows/terms-rollout/definitions';
import { createActivities, type ActivityDeps } from '../activities';
import { credentialKeyFrom } from '../activities/credentials';
import { workerDataConverter } from '../infra/codec';
import type { DataKeyStore } from '../infra/data-keys';

export const WORKFLOWS_PATH = require.resolve('../workflows');
export const FAILURE_CONVERTER_PATH = require.resolve('../infra/failure-converter');
/** Refuse every input the engine did not encrypt (workflows/interceptors.ts). */
export const WORKFLOW_INTERCEPTOR_MODULES = [require.resolve('../workflows/interceptors')];
/** What every workflow bundle is made of, whoever bundles (build, tests, bench). */
export const BUNDLE_OPTIONS = {
  workflowsPath: WORKFLOWS_PATH,
  failureConverterPath: FAILURE_CONVERTER_PATH,
  workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
};

export interface WorkerParams {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  keys: ReadonlyMap<string, Buffer>;
  activeKeyId: string;
  /** Data keys of the records' personal data (crypto-shredding); the activities get the same store. */
  dataKeys?: DataKeyStore | null;
  deps: ActivityDeps;
  /** A bundle made by `npm run build` (production); without it the worker bundles at start. */
  workflowBundlePath?: string;
  /** Tests pass a bundle made once per suite. */
  workflowBundle?: { code: string };
  options?: Partial<WorkerOptions>;
}

/** The bundle the parameters give (made once for the tests, or `npm run build`'s file), if any. */
function givenBundle(p: WorkerParams): { code: string } | undefined {
  if (p.workflowBundle) return p.workflowBundle;
  if (!p.workflowBundlePath) return undefined;
  if (!existsSync(p.workflowBundlePath)) {
    throw new Error(`no workflow bundle at ${p.workflowBundlePath}: run \`npm run build\`, or unset WORKFLOW_BUNDLE_PATH to bundle at start`);
  }
  return { code: readFileSync(p.workflowBundlePath, 'utf8') };
}

export async function createWorker(p: WorkerParams): Promise<Worker> {
  const bundle = givenBundle(p);
  return Worker.create({
    connection: p.connection,
    namespace: p.namespace,
    taskQueue: p.taskQueue,
    ...(bundle ? { workflowBundle: bundle } : { workflowsPath: WORKFLOWS_PATH, interceptors: { workflowModules: WORKFLOW_INTERCEPTOR_MODULES } }),
    activities: createActivities({
      credentialKey: credentialKeyFrom(p.activeKeyId, p.keys.get(p.activeKeyId)!),
      atRest: { keys: p.keys, activeKeyId: p.activeKeyId },
      ...p.deps,
    }),
    dataConverter: workerDataConverter(p.keys, p.activeKeyId, p.dataKeys ?? null),
    ...p.options,
  });
}

/** A rollout is one workflow per terms version: few to keep in memory. */
const ROLLOUT_CACHED_WORKFLOWS = 20;

/**
 * A worker process's two workers, on one bundle: the deployment's task queue, and the terms
 * rollouts' own (rolloutTaskQueue), so a rollout never waits behind the contracts' backlog.
 */
export async function createWorkers(p: WorkerParams): Promise<[Worker, Worker]> {
  const workflowBundle = givenBundle(p) ?? { code: (await bundleWorkflowCode({ ...BUNDLE_OPTIONS, logger: new DefaultLogger('WARN') })).code };
  return Promise.all([
    createWorker({ ...p, workflowBundle }),
    createWorker({
      ...p,
      workflowBundle,
      taskQueue: rolloutTaskQueue(p.taskQueue),
      options: { ...p.options, maxCachedWorkflows: Math.min(p.options?.maxCachedWorkflows ?? ROLLOUT_CACHED_WORKFLOWS, ROLLOUT_CACHED_WORKFLOWS) },
    }),
  ]);
}
