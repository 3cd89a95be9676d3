// 6. What the workflow bundle costs per workflow: the worker's memory per cached workflow and
// its CPU per workflow creation, for this bundle against a baseline bundle measured the same
// way in the same run (the same workflows plus date-holidays, as they were bundled while
// domain/ imported it: scripts/bench/baseline-workflows.ts).
//
// Everything a workflow imports is evaluated again for each workflow the worker creates (the
// SDK's reusable V8 context shares the context, not the modules): what a module costs, every
// cached workflow holds. Per run: a fresh worker process (worker/main.ts, the bundle prebuilt,
// its cache large enough to keep every workflow), a warm-up, then `workflows` contract
// workflows started and left waiting (a contract's usual state); the worker's CPU time and its
// resident set before and after give the figures per workflow. Runs in ABBA order, so drift
// (the dev server filling up, the machine's other work) falls on both bundles alike.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Client } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { localDay } from '../../domain/days';
import { profiles } from '../../domain/profiles';
import { FAILURE_CONVERTER_PATH } from '../../worker/worker';
import { contractWorkflowId } from '../../workflows/contract/definitions';
import type { contract } from '../../workflows/contract/workflow';
import { procCpuMs, procMemory, startWorkerProcess } from './rollout-bench';
import { fmtMs, fmtRatio, table } from './stats';

type Stop = { name: string; stop: () => Promise<void> };

export const BASELINE_WORKFLOWS_PATH = require.resolve('./baseline-workflows');

/** The baseline bundle: the same workflows plus date-holidays (see baseline-workflows.ts). */
export async function bundleBaseline(): Promise<string> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: BASELINE_WORKFLOWS_PATH,
    failureConverterPath: FAILURE_CONVERTER_PATH,
    logger: new DefaultLogger('ERROR'),
  });
  return code;
}

export interface BundleBenchParams {
  root: string;
  databaseUrl: string;
  temporalAddress: string;
  /** A client with the payload codec of the worker's keys. */
  client: Client;
  keys: ReadonlyMap<string, Buffer>;
  activeKeyId: string;
  /** Baseline first; the report divides by the baseline's figures. */
  bundles: { baseline: { label: string; code: string }; current: { label: string; code: string } };
  /** Contract workflows per run, all kept in the worker's cache. */
  workflows: number;
  log: (m: string) => void;
  stops: Stop[];
}

export interface BundleRun {
  /** Worker CPU (all its threads) per workflow started: its creation and its first task. */
  cpuMsPerWorkflow: number;
  /** Growth of the worker's resident set per cached workflow. */
  rssBytesPerWorkflow: number;
  idleRssBytes: number;
  endRssBytes: number;
  wallMs: number;
}

export interface BundleVariantResult {
  label: string;
  /** Bundle size, and the part before its inline source map (what the worker evaluates). */
  bytes: number;
  codeBytes: number;
  runs: BundleRun[];
}

export interface BundleBenchResult {
  workflows: number;
  warmup: number;
  baseline: BundleVariantResult;
  current: BundleVariantResult;
}

const WARMUP = 20;
const START_CONCURRENCY = 20;
const STALL_MS = 120_000;
const sleep = (msec: number) => new Promise((r) => setTimeout(r, msec));
const codeBytes = (code: string) => {
  const map = code.lastIndexOf('\n//# sourceMappingURL=');
  return Buffer.byteLength(map >= 0 ? code.slice(0, map) : code);
};

export async function benchBundles(p: BundleBenchParams): Promise<BundleBenchResult> {
  const { client, log } = p;
  const dir = mkdtempSync(join(tmpdir(), 'guichet-bench-bundle-'));
  p.stops.push({ name: 'bundle bench temporary directory', stop: async () => rmSync(dir, { recursive: true, force: true }) });
  const payloadKeys = [...p.keys].map(([id, k]) => `${id}:${k.toString('base64')}`).join(',');
  const paths = { baseline: join(dir, 'baseline-bundle.js'), current: join(dir, 'current-bundle.js') };
  writeFileSync(paths.baseline, p.bundles.baseline.code);
  writeFileSync(paths.current, p.bundles.current.code);
  const today = localDay(new Date(), profiles.JU.timeZone);

  async function awaitRunning(taskQueue: string, n: number, guard: <T>(w: Promise<T>) => Promise<T>): Promise<void> {
    // Running = its first task done (it marks its process as a search attribute).
    const query = `GvsProcess="contract" AND TaskQueue="${taskQueue}"`;
    let last = -1;
    let lastChange = Date.now();
    for (;;) {
      const { count } = await guard(client.workflow.count(query));
      if (count >= n) return;
      if (count !== last) {
        last = count;
        lastChange = Date.now();
      } else if (Date.now() - lastChange > STALL_MS) {
        throw new Error(`stalled: ${count}/${n} contract workflows running on ${taskQueue}`);
      }
      await sleep(200);
    }
  }

  async function runOne(variant: 'baseline' | 'current', round: number): Promise<BundleRun> {
    const taskQueue = `bench-bundle-${variant}-${randomUUID().slice(0, 8)}`;
    const name = `${variant}-${round}`;
    const worker = await startWorkerProcess({
      root: p.root,
      temporalAddress: p.temporalAddress,
      databaseUrl: p.databaseUrl,
      client,
      payloadKeys,
      activeKeyId: p.activeKeyId,
      bundlePath: paths[variant],
      // Room for every workflow of the run: none is evicted, each stays as created.
      workerCache: WARMUP + p.workflows,
      taskQueue,
      smtpUrl: 'smtp://127.0.0.1:9',
      name: `bundle-${name}`,
      stops: p.stops,
    });
    const start = async (count: number) => {
      let next = 0;
      const lane = async () => {
        while (next < count) {
          next += 1;
          const contractId = `contract-bench-bundle-${randomUUID()}`;
          await client.workflow.start<typeof contract>('contract', {
            taskQueue,
            workflowId: contractWorkflowId(contractId),
            args: [{ contractId, canton: 'JU', startedOn: today, termsVersion: 'CG-2013-1', pendingTerms: null }],
          });
        }
      };
      await worker.guard(Promise.all(Array.from({ length: Math.min(START_CONCURRENCY, count) }, lane)));
    };
    // Warm-up: the workflow thread's first workflows (JIT, the shared context) are not measured.
    await start(WARMUP);
    await awaitRunning(taskQueue, WARMUP, worker.guard);
    await sleep(1000);
    const rss0 = procMemory(worker.pid).rss;
    const cpu0 = procCpuMs(worker.pid);
    log(`6/6 bundle ${p.bundles[variant].label}, round ${round}: ${p.workflows} contract workflows (worker at ${(rss0 / 2 ** 20).toFixed(0)} MiB) …`);
    const t0 = performance.now();
    await start(p.workflows);
    await awaitRunning(taskQueue, WARMUP + p.workflows, worker.guard);
    const wallMs = performance.now() - t0;
    await sleep(1000); // the last tasks' completions, the last polls
    const rss1 = procMemory(worker.pid).rss;
    const cpu1 = procCpuMs(worker.pid);
    await worker.stop();
    // The workflows stay open on a queue no worker polls any more: they cost the run nothing.
    return { cpuMsPerWorkflow: (cpu1 - cpu0) / p.workflows, rssBytesPerWorkflow: (rss1 - rss0) / p.workflows, idleRssBytes: rss0, endRssBytes: rss1, wallMs };
  }

  const runs: Record<'baseline' | 'current', BundleRun[]> = { baseline: [], current: [] };
  const order = ['baseline', 'current', 'current', 'baseline'] as const;
  for (const [i, variant] of order.entries()) runs[variant].push(await runOne(variant, i + 1));
  const result = (variant: 'baseline' | 'current'): BundleVariantResult => ({
    label: p.bundles[variant].label,
    bytes: Buffer.byteLength(p.bundles[variant].code),
    codeBytes: codeBytes(p.bundles[variant].code),
    runs: runs[variant],
  });
  return { workflows: p.workflows, warmup: WARMUP, baseline: result('baseline'), current: result('current') };
}

/** A variant's figures over its runs: totals over totals (every run counts the same workflows). */
export function bundleFigures(v: BundleVariantResult): { mibPerWorkflow: number; cpuMsPerWorkflow: number } {
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return {
    mibPerWorkflow: mean(v.runs.map((r) => r.rssBytesPerWorkflow)) / 2 ** 20,
    cpuMsPerWorkflow: mean(v.runs.map((r) => r.cpuMsPerWorkflow)),
  };
}

export function bundleReport(r: BundleBenchResult): string[] {
  const kib = (bytes: number) => `${Math.round(bytes / 1024).toLocaleString('en-US')} KiB`;
  const mib = (x: number) => `${x.toFixed(2)} MiB`;
  const b = bundleFigures(r.baseline);
  const c = bundleFigures(r.current);
  const row = (v: BundleVariantResult, f: ReturnType<typeof bundleFigures>) => [
    v.label,
    kib(v.bytes),
    kib(v.codeBytes),
    mib(f.mibPerWorkflow),
    fmtMs(f.cpuMsPerWorkflow),
    v.runs.map((x) => `${(x.rssBytesPerWorkflow / 2 ** 20).toFixed(2)} / ${fmtMs(x.cpuMsPerWorkflow)}`).join(', '),
  ];
  const perGiB = (f: ReturnType<typeof bundleFigures>) => Math.floor(1024 / f.mibPerWorkflow).toLocaleString('en-US');
  return [
    `6. Workflow bundle — worker memory per cached workflow and worker CPU per workflow creation, ${r.workflows} contract workflows (JU) per run after ${r.warmup} warm-up`,
    '   a fresh worker process per run (worker/main.ts, prebuilt bundle, a cache that keeps every workflow), 4 runs ABBA;',
    '   memory = growth of its resident set / workflows (garbage not yet collected included); CPU = its CPU time (all threads) / workflows,',
    "   each workflow's creation (its modules evaluated) and first task",
    table([
      ['', 'bundle', 'code (no source map)', 'per cached workflow', 'CPU per workflow', 'runs (MiB / CPU)'],
      row(r.baseline, b),
      row(r.current, c),
      [
        'ratio this / baseline',
        fmtRatio(r.current.bytes / r.baseline.bytes),
        fmtRatio(r.current.codeBytes / r.baseline.codeBytes),
        fmtRatio(c.mibPerWorkflow / b.mibPerWorkflow),
        fmtRatio(c.cpuMsPerWorkflow / b.cpuMsPerWorkflow),
        '',
      ],
    ]),
    `   cached workflows a GiB of worker memory holds: baseline ~${perGiB(b)}, this bundle ~${perGiB(c)} (WORKER_MAX_CACHED_WORKFLOWS in infra/config.ts)`,
  ];
}
