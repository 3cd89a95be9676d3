// 4. A terms-of-use rollout (Art. 5.2) to many active contracts, on the real dev server, with
// the real worker process (worker/main.ts as a child, so its peak memory is its own), against
// a baseline rollout to few contracts measured the same way in the same run.
//
// Per rollout: contracts written straight to PostgreSQL (as admission writes them), their
// contract workflows started from here at bounded concurrency with a first worker process
// (the setup, timed apart), then a fresh worker process — its workflow cache empty, as after
// months of quiet — runs the rollout: every batch pages the canton's contracts, signals each
// contract's workflow and e-mails each user through a counting SMTP sink.
//
// The worker's workflow cache is its WORKER_MAX_CACHED_WORKFLOWS (the worker's default unless
// `workerCache` is given). Each cached workflow holds its own copy of the bundle's modules
// (section 6 measures it): while the bundle carried date-holidays and moment-timezone
// (~2.5 MiB a workflow), the SDK's own default (~600 workflows a GiB of heap) ran the workflow
// thread out of heap at ~1,860 cached workflows and the process exited.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { SMTPServer } from 'smtp-server';
import { createTemporalContractEngine } from '../../app/gateways';
import { termsSchedule } from '../../domain/contract';
import { localDay } from '../../domain/days';
import { profiles, type CantonCode } from '../../domain/profiles';
import type { Db } from '../../infra/db';
import { rolloutProgressQuery, termsRolloutWorkflowId, type RolloutProgress } from '../../workflows/terms-rollout/definitions';
import type { termsRollout } from '../../workflows/terms-rollout/workflow';
import { contractWorkflowId } from '../../workflows/contract/definitions';
import { median, percentile } from './stats';

type Stop = { name: string; stop: () => Promise<void> };

export interface RolloutBenchParams {
  root: string;
  db: Db;
  databaseUrl: string;
  temporalAddress: string;
  /** A client with the payload codec of `keys` (the worker's keys). */
  client: Client;
  keys: ReadonlyMap<string, Buffer>;
  activeKeyId: string;
  /** The workflow bundle the bench made: the worker processes load it (as in production) instead of bundling at start. */
  workflowBundleCode: string;
  /** The Temporal dev server's pid, for its CPU time. */
  serverPid?: number;
  contracts: number;
  baseline: number;
  /** Contract workflows started at once during the setup. */
  startConcurrency?: number;
  /** Contract workflows whose history length is read (random sample). */
  historySample?: number;
  /** The worker's workflow cache (WORKER_MAX_CACHED_WORKFLOWS); null leaves the worker's default. */
  workerCache: number | null;
  log: (m: string) => void;
  stops: Stop[];
}

export interface RolloutResult {
  label: string;
  canton: CantonCode;
  contracts: number;
  version: string;
  workerCache: number | null;
  setup: { insertMs: number; startMs: number; settledMs: number; workerPeakBytes: number };
  /** Rollout workflow started → its last run completed (every user e-mailed, every workflow signalled). */
  rolloutMs: number;
  /** Rollout workflow started → every contract workflow has applied the notice (visibility count). */
  appliedMs: number;
  progress: RolloutProgress;
  worker: { idleRssBytes: number; peakBytes: number; endRssBytes: number; rssByQuarter: number[] };
  /** 1-minute load average of the machine at the rollout's start and end (other work on it shows here). */
  load: { start: number; end: number };
  /** CPU ms spent during the rollout (start → all applied). */
  cpu: { workerMs: number; serverMs: number; selfMs: number; machineMs: number; wallMs: number };
  mails: { messages: number; recipients: number; outboxSent: number };
  /** Per run: events, batches, and how long its first workflow task waited in the task queue (a new run's first task goes to the shared queue, not the worker's sticky one). */
  rolloutRuns: Array<{ runId: string; historyLength: number; batches: number; firstTaskWaitMs: number }>;
  /** notifyTermsBatch scheduled → completed, ms, in order. */
  batchMs: number[];
  /** Activity attempts beyond the first, over the rollout's runs. */
  retries: number;
  /** Sampled contract workflows: history length of their current run; how many have continued as new. */
  contractHistory: { sampled: number; max: number; median: number; continued: number };
  problems: string[];
}

export interface RolloutBenchResult {
  baseline: RolloutResult;
  full: RolloutResult;
}

const ms = (t: { seconds?: unknown; nanos?: number | null } | null | undefined) => (t ? Number(t.seconds ?? 0) * 1000 + (t.nanos ?? 0) / 1e6 : 0);
const sleep = (msec: number) => new Promise((r) => setTimeout(r, msec));
const MiB = 2 ** 20;
/** A wait with no progress for this long fails the bench instead of hanging. */
const STALL_MS = 300_000;
export const fmtMiB = (bytes: number) => `${(bytes / MiB).toFixed(0)} MiB`;

/** VmHWM (peak resident set) and VmRSS of a process, bytes. */
export function procMemory(pid: number): { peak: number; rss: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
    return { peak: kb('VmHWM'), rss: kb('VmRSS') };
  } catch {
    return { peak: 0, rss: 0 };
  }
}

export function procCpuMs(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, USER_HZ
  } catch {
    return 0;
  }
}
const machineCpuMs = () => cpus().reduce((s, c) => s + c.times.user + c.times.nice + c.times.sys + c.times.irq, 0);
const selfCpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** `count` jobs, at most `concurrency` at once. */
async function inPool(count: number, concurrency: number, job: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < count) await job(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
}

/** An SMTP server that counts messages and distinct recipients and keeps nothing else. */
export async function startCountingSmtp(): Promise<{ url: string; messages: () => number; recipients: () => number; close: () => Promise<void> }> {
  let messages = 0;
  const recipients = new Set<string>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    closeTimeout: 1000,
    onData(stream, session, callback) {
      stream.on('data', () => undefined);
      stream.on('end', () => {
        messages += 1;
        for (const r of session.envelope.rcptTo) recipients.add(r.address.toLowerCase());
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages: () => messages,
    recipients: () => recipients.size,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Users, their (approved) applications and active contracts of `canton`, written in chunks. */
async function seedContracts(db: Db, canton: CantonCode, n: number, tag: string, log: (m: string) => void): Promise<string[]> {
  const CHUNK = 1000; // ~25 columns a row: well under PostgreSQL's 65,535 parameters a statement
  const today = localDay(new Date(), profiles[canton].timeZone);
  const ids: string[] = [];
  const cantonDigit = canton === 'JU' ? 1 : 2;
  for (let from = 0; from < n; from += CHUNK) {
    const rows = Array.from({ length: Math.min(CHUNK, n - from) }, (_, k) => {
      const i = from + k;
      const applicationId = randomUUID();
      const digits = `756${cantonDigit}${tag}${String(i).padStart(6, '0')}`.slice(0, 13);
      return {
        applicationId,
        userId: `user-${applicationId}`,
        contractId: `contract-${applicationId}`,
        sub: `citizen-bench-${applicationId}`,
        avs: `${digits.slice(0, 3)}.${digits.slice(3, 7)}.${digits.slice(7, 11)}.${digits.slice(11)}`,
        email: `bench-${canton.toLowerCase()}-${tag}-${i}@bench.invalid`,
        firstName: `Prénom${i}`,
        lastName: `Bench${canton}`,
      };
    });
    const person = {
      street: 'Rue du Banc 1',
      postCode: canton === 'JU' ? '2800' : '2000',
      locality: canton === 'JU' ? 'Delémont' : 'Neuchâtel',
      commune: canton === 'JU' ? 'Delémont' : 'Neuchâtel',
      birthDate: '1980-01-01',
    };
    const evidence = {
      documentSha256: 'a3f1c2d4e5b6a7980112233445566778899aabbccddeeff00112233445566778',
      signatureValue: 'MIIBbenchSignatureValueAAAA==',
      signedAt: new Date('2026-01-05T10:00:00Z'),
      identityProofRef: 'eid-bench',
    };
    await db.onboardingApplication.createMany({
      data: rows.map((r) => ({
        id: r.applicationId,
        canton,
        status: 'approved',
        applicantSub: r.sub,
        filedBySub: r.sub,
        filedByRole: 'citizen',
        requestHash: 'bench',
        avsNumber: r.avs,
        lastName: r.lastName,
        firstName: r.firstName,
        ...person,
        email: r.email,
        ...evidence,
        termsVersion: 'CG-2013-1',
        refusalReasons: [],
        submittedAt: new Date(),
        decidedAt: new Date(),
        retentionEventDay: today,
      })),
    });
    await db.registeredUser.createMany({
      data: rows.map((r) => ({
        id: r.userId,
        sub: r.sub,
        avsNumber: r.avs,
        lastName: r.lastName,
        firstName: r.firstName,
        email: r.email,
        ...person,
        canton,
        applicationId: r.applicationId,
      })),
    });
    await db.contract.createMany({
      data: rows.map((r) => ({
        id: r.contractId,
        userId: r.userId,
        applicationId: r.applicationId,
        status: 'active',
        canton,
        startedOn: today,
        termsVersion: 'CG-2013-1',
        ...evidence,
      })),
    });
    ids.push(...rows.map((r) => r.contractId));
    if (n >= 10 * CHUNK && (from / CHUNK) % 10 === 9) log(`   ${ids.length.toLocaleString('en-US')}/${n.toLocaleString('en-US')} contracts written`);
  }
  return ids;
}

export interface WorkerProcess {
  proc: ChildProcess;
  pid: number;
  stop: () => Promise<void>;
  /** Resolves as `work` does, or rejects as soon as the worker process dies on its own. */
  guard: <T>(work: Promise<T>) => Promise<T>;
}

export interface WorkerProcessOptions {
  root: string;
  temporalAddress: string;
  databaseUrl: string;
  /** A client of the same server: the worker is ready once its pollers show on the queue. */
  client: Client;
  /** PAYLOAD_KEYS, `id:base64,…`. */
  payloadKeys: string;
  activeKeyId: string;
  /** The prebuilt workflow bundle the worker loads (WORKFLOW_BUNDLE_PATH). */
  bundlePath: string;
  /** WORKER_MAX_CACHED_WORKFLOWS; null leaves the worker's default. */
  workerCache: number | null;
  taskQueue: string;
  smtpUrl: string;
  name: string;
  stops: Stop[];
}

/** The real worker process (worker/main.ts), on its own task queue; resolves once it polls. */
export async function startWorkerProcess(o: WorkerProcessOptions): Promise<WorkerProcess> {
  const { client, taskQueue, name } = o;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'test' as const,
    LOG_LEVEL: 'warn',
    TEMPORAL_ADDRESS: o.temporalAddress,
    TEMPORAL_NAMESPACE: 'default',
    TEMPORAL_TASK_QUEUE: taskQueue,
    DATABASE_URL: o.databaseUrl,
    PAYLOAD_KEYS: o.payloadKeys,
    PAYLOAD_ACTIVE_KEY_ID: o.activeKeyId,
    WORKFLOW_BUNDLE_PATH: o.bundlePath,
    // The benches call neither the registers, the postal gateway nor any token issuer:
    // closed ports, which would fail loudly if it did.
    AUTH_ISSUER: 'http://127.0.0.1:9',
    AUTH_JWKS_URL: 'http://127.0.0.1:9/jwks.json',
    RESIDENT_REGISTER_URL: 'http://127.0.0.1:9/resident-register',
    PROTECTION_REGISTER_URL: 'http://127.0.0.1:9/protection-register',
    POSTAL_GATEWAY_URL: 'http://127.0.0.1:9',
    SMTP_URL: o.smtpUrl,
    MAIL_FROM: 'Guichet bench <bench@bench.invalid>',
  };
  if (o.workerCache === null) delete env.WORKER_MAX_CACHED_WORKFLOWS;
  else env.WORKER_MAX_CACHED_WORKFLOWS = String(o.workerCache);
  const proc = spawn(process.execPath, ['--import', 'tsx', join(o.root, 'worker/main.ts')], { cwd: o.root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (c: Buffer) => {
    output = (output + c.toString()).slice(-4000);
  };
  proc.stdout!.on('data', collect);
  proc.stderr!.on('data', collect);
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  let stopping = false;
  // Rejects if the process ends without being asked to: every wait below races it.
  const crashed = exited.then((code) => {
    if (stopping) return new Promise<never>(() => undefined);
    const tail = output.trim().split('\n').slice(-25).join('\n');
    throw new Error(`worker process ${name} (pid ${proc.pid}) exited on its own (code ${String(code)}, signal ${String(proc.signalCode)}):\n${tail}`);
  });
  crashed.catch(() => undefined);
  const stop = async () => {
    stopping = true;
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  };
  o.stops.push({ name: `worker process ${name}`, stop });
  const pid = proc.pid!;
  // Ready once both its workflow and activity pollers are seen on the queue (by its identity).
  const identity = `${pid}@`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (proc.exitCode !== null) await crashed;
    const polling = await Promise.all(
      [temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW, temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY].map(
        async (taskQueueType) => {
          const r = await client.workflowService.describeTaskQueue({
            namespace: 'default',
            taskQueue: { name: taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
            taskQueueType,
          });
          return (r.pollers ?? []).some((x) => x.identity?.startsWith(identity));
        },
      ),
    );
    if (polling.every(Boolean)) break;
    if (Date.now() > deadline) throw new Error(`worker ${name} did not poll within 120 s:\n${output}`);
    await sleep(250);
  }
  return { proc, pid, stop, guard: <T>(work: Promise<T>) => Promise.race([work, crashed]) };
}

export async function benchRollout(p: RolloutBenchParams): Promise<RolloutBenchResult> {
  const { db, client, log } = p;
  const startConcurrency = p.startConcurrency ?? 150;
  const historySample = p.historySample ?? 200;
  const dir = mkdtempSync(join(tmpdir(), 'guichet-bench-rollout-'));
  p.stops.push({ name: 'rollout temporary directory', stop: async () => rmSync(dir, { recursive: true, force: true }) });
  const bundlePath = join(dir, 'workflow-bundle.js');
  writeFileSync(bundlePath, p.workflowBundleCode);
  const payloadKeys = [...p.keys].map(([id, k]) => `${id}:${k.toString('base64')}`).join(',');

  const startWorker = (taskQueue: string, smtpUrl: string, name: string) =>
    startWorkerProcess({
      root: p.root,
      temporalAddress: p.temporalAddress,
      databaseUrl: p.databaseUrl,
      client,
      payloadKeys,
      activeKeyId: p.activeKeyId,
      bundlePath,
      workerCache: p.workerCache,
      taskQueue,
      smtpUrl,
      name,
      stops: p.stops,
    });

  const count = async (query: string) => (await client.workflow.count(query)).count;

  /** Waits until the visibility count of `query` reaches `n`, logging now and then. */
  /** Waits until `counted` (a visibility query, or a count of its own) reaches n. */
  async function awaitCount(counted: string | (() => Promise<number>), n: number, what: string): Promise<void> {
    let lastLog = 0;
    let last = -1;
    let lastChange = Date.now();
    for (;;) {
      const c = typeof counted === 'string' ? await count(counted) : await counted();
      if (c >= n) return;
      if (c !== last) {
        last = c;
        lastChange = Date.now();
      } else if (Date.now() - lastChange > STALL_MS) {
        throw new Error(`stalled: ${c}/${n} ${what}, no change for ${STALL_MS / 1000} s`);
      }
      if (Date.now() - lastLog > 5000) {
        log(`   ${c.toLocaleString('en-US')}/${n.toLocaleString('en-US')} ${what}`);
        lastLog = Date.now();
      }
      await sleep(500);
    }
  }

  async function runOne(label: string, canton: CantonCode, n: number): Promise<RolloutResult> {
    const tag = randomUUID().replace(/\D/g, '').slice(0, 3).padEnd(3, '0');
    const taskQueue = `bench-rollout-${canton}-${randomUUID().slice(0, 8)}`;
    const problems: string[] = [];
    const smtp = await startCountingSmtp();
    p.stops.push({ name: `SMTP sink ${canton}`, stop: smtp.close });

    // ── Setup: the contracts and their running workflows ──
    log(`4/6 rollout ${label}: writing ${n.toLocaleString('en-US')} users and contracts (${canton}) …`);
    let t = performance.now();
    const ids = await seedContracts(db, canton, n, tag, log);
    const insertMs = performance.now() - t;
    const setupWorker = await startWorker(taskQueue, smtp.url, `${canton}-setup`);
    const engine = createTemporalContractEngine(client, taskQueue);
    const today = localDay(new Date(), profiles[canton].timeZone);
    log(`4/6 rollout ${label}: starting ${n.toLocaleString('en-US')} contract workflows, ${startConcurrency} in flight …`);
    t = performance.now();
    let started = 0;
    const progressTimer = setInterval(
      () =>
        log(
          `   ${started.toLocaleString('en-US')}/${n.toLocaleString('en-US')} contract workflows started (${(started / ((performance.now() - t) / 1000)).toFixed(0)}/s)`,
        ),
      10_000,
    );
    try {
      await setupWorker.guard(
        inPool(n, startConcurrency, async (i) => {
          await engine.start({ contractId: ids[i]!, canton, startedOn: today, termsVersion: 'CG-2013-1', pendingTerms: null });
          started += 1;
        }),
      );
    } finally {
      clearInterval(progressTimer);
    }
    const startMs = performance.now() - t;
    // Running = its first task done (it marks its process and canton as search attributes).
    await setupWorker.guard(awaitCount(`GvsProcess="contract" AND GvsCanton="${canton}" AND TaskQueue="${taskQueue}"`, n, 'contract workflows running'));
    const settledMs = performance.now() - t;
    const setupPeak = procMemory(setupWorker.pid).peak;
    await setupWorker.stop();
    log(
      `4/6 rollout ${label}: setup done in ${(settledMs / 1000).toFixed(1)} s (${(n / (settledMs / 1000)).toFixed(0)} workflows/s); fresh worker for the rollout …`,
    );

    // ── The rollout, with a fresh worker process ──
    const s = termsSchedule(today, 30, profiles[canton]);
    const version = `bench-${canton}-${randomUUID().slice(0, 8)}`;
    const text = `Conditions générales, version ${version} (banc d'essai).`;
    await db.termsVersion.create({
      data: {
        version,
        canton,
        title: `CG ${version}`,
        mediaType: 'text/plain; charset=utf-8',
        document: new Uint8Array(Buffer.from(text)),
        documentSha256: 'b'.repeat(64),
        effectiveOn: today,
        acceptanceDays: 30,
        restrictFrom: s.restrictFrom,
        blockFrom: s.blockFrom,
        publishedBy: 'chancellery-bench',
      },
    });
    const worker = await startWorker(taskQueue, smtp.url, `${canton}-rollout`);
    await sleep(1000); // let it settle after start (its startup work is in the idle figure, not the rollout)
    const idleRss = procMemory(worker.pid).rss;
    const cpu0 = { worker: procCpuMs(worker.pid), server: procCpuMs(p.serverPid), self: selfCpuMs(), machine: machineCpuMs() };
    log(`4/6 rollout ${label}: rollout of ${version} to ${n.toLocaleString('en-US')} contracts (worker idle at ${fmtMiB(idleRss)}) …`);
    const load0 = loadavg()[0]!;
    const t0 = performance.now();
    // The worker's resident set every half second, for its course over the rollout.
    const rssSamples: Array<{ at: number; rss: number }> = [];
    const sampler = setInterval(() => rssSamples.push({ at: performance.now() - t0, rss: procMemory(worker.pid).rss }), 500);
    const handle = await client.workflow.start<typeof termsRollout>('termsRollout', {
      taskQueue,
      workflowId: termsRolloutWorkflowId(version),
      args: [{ version }],
    });
    let lastLog = 0;
    let lastNotified = -1;
    let lastChange = performance.now();
    let done = false;
    const result = handle.result().finally(() => {
      done = true;
    });
    result.catch(() => undefined);
    while (!done) {
      await worker.guard(Promise.race([result.catch(() => undefined), sleep(500)]));
      if (!done && performance.now() - lastLog > 5000) {
        lastLog = performance.now();
        try {
          const pr = await client.workflow.getHandle(termsRolloutWorkflowId(version)).query(rolloutProgressQuery);
          const secs = (performance.now() - t0) / 1000;
          if (pr.notified !== lastNotified) {
            lastNotified = pr.notified;
            lastChange = performance.now();
          }
          log(
            `   ${pr.notified.toLocaleString('en-US')}/${n.toLocaleString('en-US')} notified, ${pr.batches} batches, run ${pr.runs}, ${(pr.notified / secs).toFixed(0)} contracts/s, worker RSS ${fmtMiB(procMemory(worker.pid).rss)}`,
          );
        } catch {
          // between two runs: the next poll answers
        }
        if (performance.now() - lastChange > STALL_MS) throw new Error(`stalled: the rollout of ${version} notified no contract for ${STALL_MS / 1000} s`);
      }
    }
    const progress = await result;
    const rolloutMs = performance.now() - t0;
    log(`4/6 rollout ${label}: rollout done in ${(rolloutMs / 1000).toFixed(1)} s; waiting for every contract workflow to apply it …`);
    // Where a change is communicated (NE 9), the contract takes it at once and records it (an
    // audit row each); where it must be accepted, the contract shows it pending (its search attribute).
    const applied =
      profiles[canton].contract.termsChanges === 'communicated'
        ? () => db.auditLog.count({ where: { recordType: 'contract', action: { startsWith: `terms.communicated.${version}.` } } })
        : `GvsProcess="contract" AND GvsTermsVersion="${version}"`;
    await worker.guard(awaitCount(applied, n, 'contract workflows applied the notice'));
    const appliedMs = performance.now() - t0;
    clearInterval(sampler);
    const load1 = loadavg()[0]!;
    const rssByQuarter = [0, 1, 2, 3].map((q) =>
      Math.max(0, ...rssSamples.filter((x) => x.at >= (q * appliedMs) / 4 && x.at < ((q + 1) * appliedMs) / 4).map((x) => x.rss)),
    );
    const cpu1 = { worker: procCpuMs(worker.pid), server: procCpuMs(p.serverPid), self: selfCpuMs(), machine: machineCpuMs() };
    const mem = procMemory(worker.pid);
    await worker.stop();
    await smtp.close();

    // ── Histories ──
    const rolloutRuns: RolloutResult['rolloutRuns'] = [];
    const batchMs: number[] = [];
    let retries = 0;
    for (let runId: string | undefined = handle.firstExecutionRunId; runId;) {
      const history = await client.workflow.getHandle(termsRolloutWorkflowId(version), runId).fetchHistory();
      const events = history.events ?? [];
      const scheduled = new Map<number, number>();
      let batches = 0;
      let next: string | undefined;
      let firstTaskWaitMs = Number.NaN;
      const taskScheduled = new Map<number, number>();
      for (const e of events) {
        const at = ms(e.eventTime);
        if (e.workflowTaskScheduledEventAttributes) taskScheduled.set(Number(e.eventId), at);
        const taskStarted = e.workflowTaskStartedEventAttributes;
        if (taskStarted && Number.isNaN(firstTaskWaitMs)) firstTaskWaitMs = at - (taskScheduled.get(Number(taskStarted.scheduledEventId)) ?? at);
        const sched = e.activityTaskScheduledEventAttributes;
        if (sched && sched.activityType?.name === 'notifyTermsBatch') {
          scheduled.set(Number(e.eventId), at);
          batches += 1;
        }
        const started = e.activityTaskStartedEventAttributes;
        if (started && (started.attempt ?? 1) > 1) retries += (started.attempt ?? 1) - 1;
        const completed = e.activityTaskCompletedEventAttributes;
        if (completed && scheduled.has(Number(completed.scheduledEventId))) batchMs.push(at - scheduled.get(Number(completed.scheduledEventId))!);
        if (e.workflowExecutionContinuedAsNewEventAttributes) next = e.workflowExecutionContinuedAsNewEventAttributes.newExecutionRunId ?? undefined;
      }
      rolloutRuns.push({ runId, historyLength: events.length, batches, firstTaskWaitMs });
      runId = next;
    }
    const sample = [...ids].sort(() => Math.random() - 0.5).slice(0, Math.min(historySample, n));
    const lengths: number[] = [];
    let continued = 0;
    await inPool(sample.length, 20, async (i) => {
      const d = await client.workflow.getHandle(contractWorkflowId(sample[i]!)).describe();
      lengths.push(d.historyLength);
      // A contract workflow that continued as new runs under another run id than its first.
      const first = d.raw.workflowExecutionInfo?.firstRunId;
      if (first && first !== d.runId) continued += 1;
    });

    const outboxSent = await db.mailOutbox.count({ where: { id: { startsWith: `terms:${version}:` }, sentAt: { not: null } } });
    const mails = { messages: smtp.messages(), recipients: smtp.recipients(), outboxSent };
    if (progress.notified !== n) problems.push(`the rollout notified ${progress.notified} contracts, not ${n}`);
    if (mails.messages !== n || mails.recipients !== n)
      problems.push(`the SMTP sink got ${mails.messages} messages for ${mails.recipients} recipients, not ${n}`);
    if (outboxSent !== n) problems.push(`${outboxSent} outbox rows marked sent, not ${n}`);
    for (const pr of problems) log(`   CHECK: ${pr}`);
    log(
      `4/6 rollout ${label}: ${n.toLocaleString('en-US')} contracts in ${(rolloutMs / 1000).toFixed(1)} s, worker peak ${fmtMiB(mem.peak)}, rollout runs ${rolloutRuns.map((r) => r.historyLength).join('/')} events`,
    );

    return {
      label,
      canton,
      contracts: n,
      version,
      workerCache: p.workerCache,
      setup: { insertMs, startMs, settledMs, workerPeakBytes: setupPeak },
      rolloutMs,
      appliedMs,
      progress,
      worker: { idleRssBytes: idleRss, peakBytes: mem.peak, endRssBytes: mem.rss, rssByQuarter },
      load: { start: load0, end: load1 },
      cpu: {
        workerMs: cpu1.worker - cpu0.worker,
        serverMs: cpu1.server - cpu0.server,
        selfMs: cpu1.self - cpu0.self,
        machineMs: cpu1.machine - cpu0.machine,
        wallMs: appliedMs,
      },
      mails,
      rolloutRuns,
      batchMs,
      retries,
      contractHistory: { sampled: lengths.length, max: Math.max(...lengths), median: median(lengths), continued },
      problems,
    };
  }

  // Different cantons: a rollout pages every contract of its version's canton.
  const baseline = await runOne('baseline', 'NE', p.baseline);
  const full = await runOne('full', 'JU', p.contracts);
  return { baseline, full };
}

/** Median batch time of the first and of the last tenth of the batches (full ones only). */
export function batchDrift(r: RolloutResult): { first: number; last: number } {
  const full = r.batchMs.slice(0, Math.max(1, r.batchMs.length - 1)); // the last batch is short
  const k = Math.max(1, Math.floor(full.length / 10));
  return { first: median(full.slice(0, k)), last: median(full.slice(-k)) };
}

export const batchP = (r: RolloutResult, q: number) => percentile(r.batchMs, q);
