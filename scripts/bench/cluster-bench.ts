// `BENCH_ONLY=cluster npm run bench`: the production topology (scripts/lib/temporal-server.ts,
// scripts/lib/cluster.ts) measured and broken on this machine. The Temporal server on its own
// PostgreSQL behind mTLS, the worker and API processes as `npm run start:cluster` runs them
// (separate node processes, each started again if it dies), HAProxy in front:
//   1. throughput of onboarding through the entry point with 1 worker, then 2, and the p50/p99
//      of the filing call;
//   2. faults, with BENCH_CLUSTER_FAULTS (200) onboardings in flight: kill -9 of one worker and
//      one API replica, a SIGKILL and restart of the Temporal server, PostgreSQL stopped for
//      BENCH_CLUSTER_PG_DOWN_S (30) seconds. Then every application must be approved, with one
//      user row each and as many e-mails as a fault-free application gets.
// The e-ID proofs and the qualified signatures are made beforehand (the portal's and the
// wallet's part) by an in-process stack on the same database, as in section 7.
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { BETA_ID_VCT } from '../../fakes/eid-wallet/issuer';
import { createDb } from '../../infra/db';
import { BUNDLE_OPTIONS } from '../../worker/worker';
import { testPeople } from '../../test/support/applications';
import { EID_WEBHOOK_KEY, signedApplication } from '../../test/support/eid';
import { startStack, type Stack } from '../../test/support/stack';
import { seedUnits } from '../../test/support/units';
import { ensureHaproxy, startBalancer, supervise, type Supervised } from '../lib/cluster';
import { ensureClusterPki } from '../lib/pki';
import { clientTls } from '../lib/pki-client';
import { freePort, waitForHttp } from '../lib/ports';
import { migrateDeploy, startEmbeddedPostgres, type RunningPostgres } from '../lib/postgres';
import { ensureTemporalServer, startTemporalServer, type RunningTemporalServer } from '../lib/temporal-server';
import { fmtMs, fmtRate, fmtRatio, percentile, table } from './stats';

export interface ClusterBenchOptions {
  root: string;
  /** Onboardings per throughput run (1 worker, then 2). */
  count: number;
  concurrency: number;
  /** Onboardings in flight during the faults. */
  faults: number;
  pgDownSeconds: number;
  log: (m: string) => void;
  stops: Array<{ name: string; stop: () => Promise<void> }>;
}

interface Run {
  workers: number;
  count: number;
  wallMs: number;
  fileMs: number[];
}

export interface ClusterResult {
  runs: Run[];
  faults: {
    count: number;
    approved: number;
    users: number;
    duplicateUsers: number;
    mailsPerApplication: { expected: number; min: number; max: number };
    events: string[];
    wallMs: number;
    retries: number;
  };
}

export async function benchCluster(o: ClusterBenchOptions): Promise<ClusterResult> {
  const dir = mkdtempSync(join(tmpdir(), 'guichet-cluster-bench-'));
  chmodSync(dir, 0o755);
  const pgPort = await freePort();
  const startPg = () => startEmbeddedPostgres({ dataDir: join(dir, 'pg'), port: pgPort, persistent: true, log: o.log });
  let pg: RunningPostgres = await startPg();
  o.stops.push({ name: 'PostgreSQL', stop: () => pg.stop() });
  await migrateDeploy(pg.url, o.root);
  await seedUnits(pg.url);
  const pgUrl = new URL(pg.url);

  o.log('cluster: the Temporal server (PostgreSQL, mTLS, authorizer) …');
  const pki = await ensureClusterPki(join(dir, 'pki'));
  let server: RunningTemporalServer = await startTemporalServer({
    bin: await ensureTemporalServer(o.log),
    dir: join(dir, 'temporal'),
    pki,
    postgres: { host: pgUrl.hostname, port: pgPort, user: decodeURIComponent(pgUrl.username), password: decodeURIComponent(pgUrl.password) },
    frontendPort: await freePort(),
    log: () => undefined,
  });
  o.stops.push({ name: 'Temporal server', stop: () => server.stop() });

  // People and their applications, made beforehand.
  const total = 2 * o.count + o.faults;
  const extra: Record<string, { firstName: string; birthDate: string; commune: string }> = {};
  for (let i = 0; i < total; i++) extra[`cluster${i}`] = { firstName: `Grappe${i}`, birthDate: '1980-05-05', commune: 'Delémont' };
  const { people, fixturePath } = testPeople(extra);
  process.env.TEST_DATABASE_URL = pg.url;
  const stack: Stack = await startStack({
    fixturePath,
    eid: { statusListSize: Math.max(128, 8 * Math.ceil(total / 8)) },
    temporal: { address: server.address, tls: { api: clientTls(pki, 'guichet-api'), worker: clientTls(pki, 'guichet-worker') } },
  });
  o.stops.push({ name: 'preparing stack', stop: () => stack.stop() });
  o.log(`cluster: ${total} e-ID verifications and qualified signatures (not timed) …`);
  const filings: { token: string; body: unknown; email: string; key: string }[] = [];
  for (let i = 0; i < total; i++) {
    const token = await stack.token({ role: 'citizen', sub: `cluster-citizen-${i}-${randomUUID()}` });
    const email = `grappe${i}-${randomUUID().slice(0, 6)}@example.ch`;
    filings.push({ token, body: await signedApplication(stack, token, people[`cluster${i}`]!, email), email, key: randomUUID() });
  }

  // The engine's processes, as `npm run start:cluster` runs them.
  const bundleFile = join(dir, 'workflow-bundle.js');
  writeFileSync(bundleFile, (await bundleWorkflowCode({ ...BUNDLE_OPTIONS, logger: new DefaultLogger('WARN') })).code);
  const caFile = join(dir, 'qca.pem');
  writeFileSync(caFile, stack.qes.qca.caPem);
  const taskQueue = `cluster-${randomUUID()}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    DATABASE_URL: pg.url,
    TEMPORAL_ADDRESS: server.address,
    TEMPORAL_TASK_QUEUE: taskQueue,
    TEMPORAL_TLS_CA_FILE: pki.caFile,
    TEMPORAL_TLS_SERVER_NAME: pki.serverName,
    PAYLOAD_KEYS: [...stack.keys].map(([id, k]) => `${id}:${k.toString('base64')}`).join(','),
    PAYLOAD_ACTIVE_KEY_ID: stack.activeKeyId,
    AUTH_ISSUER: stack.issuer.issuer,
    AUTH_JWKS_URL: `${stack.issuer.issuer}/.well-known/jwks.json`,
    AUTH_AUDIENCE: stack.issuer.audience,
    RESIDENT_REGISTER_URL: stack.registers.residentUrl,
    PROTECTION_REGISTER_URL: stack.registers.protectionUrl,
    POSTAL_GATEWAY_URL: stack.post.url,
    SMTP_URL: stack.mail.url,
    EID_VERIFIER_URL: stack.eid.verifier.url,
    EID_ACCEPTED_ISSUER_DIDS: stack.eid.issuer.did,
    EID_VCT_VALUES: BETA_ID_VCT,
    EID_WEBHOOK_API_KEY_HEADER: EID_WEBHOOK_KEY.header,
    EID_WEBHOOK_API_KEY_VALUE: EID_WEBHOOK_KEY.value,
    QES_TRUSTED_CA_FILES: caFile,
    WORKFLOW_BUNDLE_PATH: bundleFile,
    RATE_LIMIT_WRITES_PER_MINUTE: '1000000',
  };
  for (const k of ['TEMPORAL_TLS_CERT_FILE', 'TEMPORAL_TLS_KEY_FILE', 'PORT'] as const) delete env[k];
  const logs = join(dir, 'logs');
  mkdirSync(logs);
  const parts: Supervised[] = [];
  const part = (name: string, script: string, extra: NodeJS.ProcessEnv) => {
    const s = supervise({
      name,
      args: ['--import', 'tsx', join(o.root, script)],
      env: { ...env, ...extra },
      cwd: o.root,
      logFile: join(logs, `${name}.log`),
      log: o.log,
    });
    parts.push(s);
    o.stops.push({ name, stop: () => s.stop() });
    return s;
  };
  const tls = (id: 'guichet-api' | 'guichet-worker') => ({ TEMPORAL_TLS_CERT_FILE: pki.files(id).cert, TEMPORAL_TLS_KEY_FILE: pki.files(id).key });
  const apiPorts = [await freePort(), await freePort()];
  apiPorts.forEach((p, i) => part(`api-${i + 1}`, 'api/main.ts', { ...tls('guichet-api'), PORT: String(p) }));
  part('worker-1', 'worker/main.ts', tls('guichet-worker'));
  for (const p of apiPorts) await waitForHttp(`http://127.0.0.1:${p}/readyz`, 120_000);
  const lb = await startBalancer({ bin: await ensureHaproxy(o.log), dir: join(dir, 'haproxy'), port: await freePort(), backends: apiPorts, log: o.log });
  o.stops.push({ name: 'haproxy', stop: () => lb.stop() });

  const db = createDb(pg.url);
  o.stops.push({ name: 'database client', stop: () => db.$disconnect() });
  let retries = 0;
  /** Files one application through the entry point; retried (same Idempotency-Key) until it is taken. */
  const file = async (f: (typeof filings)[number]): Promise<{ id: string; ms: number }> => {
    const t0 = performance.now();
    for (let attempt = 0; ; attempt++) {
      try {
        const res = await fetch(`${lb.url}/v1/onboarding/applications`, {
          method: 'POST',
          headers: { authorization: `Bearer ${f.token}`, 'content-type': 'application/json', 'idempotency-key': f.key },
          body: JSON.stringify(f.body),
          signal: AbortSignal.timeout(30_000),
        });
        const text = await res.text();
        if (res.status === 202 || res.status === 200) return { id: (JSON.parse(text) as { applicationId: string }).applicationId, ms: performance.now() - t0 };
        if (res.status < 500 && res.status !== 429) throw new Error(`filing refused: ${res.status} ${text.slice(0, 300)}`);
      } catch (err) {
        if ((err as Error).message.startsWith('filing refused')) throw err;
      }
      retries++;
      if (attempt > 600) throw new Error('filing: no answer after 600 tries');
      await new Promise((r) => setTimeout(r, 250));
    }
  };
  const approvedCount = async (ids: string[]) => {
    try {
      return await db.onboardingApplication.count({ where: { id: { in: ids }, status: 'approved' } });
    } catch {
      return -1; // the database is down
    }
  };
  const untilApproved = async (ids: string[], timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while ((await approvedCount(ids)) < ids.length) {
      if (Date.now() > deadline) throw new Error(`${await approvedCount(ids)} of ${ids.length} applications approved within ${timeoutMs / 1000} s`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  const pool = async <T, R>(items: T[], n: number, fn: (t: T, i: number) => Promise<R>): Promise<R[]> => {
    const out: R[] = new Array<R>(items.length);
    let next = 0;
    await Promise.all(
      Array.from({ length: n }, async () => {
        while (next < items.length) {
          const i = next++;
          out[i] = await fn(items[i]!, i);
        }
      }),
    );
    return out;
  };

  // 1. Throughput with 1 worker, then 2.
  const runs: Run[] = [];
  let cursor = 0;
  for (const workers of [1, 2]) {
    if (workers === 2) part('worker-2', 'worker/main.ts', tls('guichet-worker'));
    if (workers === 2) await new Promise((r) => setTimeout(r, 8000)); // its bundle loaded, its pollers up
    o.log(`cluster: ${o.count} onboardings through the entry point with ${workers} worker(s) …`);
    const batch = filings.slice(cursor, cursor + o.count);
    cursor += o.count;
    const t0 = performance.now();
    const filed = await pool(batch, o.concurrency, (f) => file(f));
    await untilApproved(
      filed.map((f) => f.id),
      300_000,
    );
    runs.push({ workers, count: o.count, wallMs: performance.now() - t0, fileMs: filed.map((f) => f.ms) });
  }
  const mailsTo = (email: string) => stack.mail.messages.filter((m) => m.to.includes(email.toLowerCase())).length;
  const expectedMails = mailsTo(filings[0]!.email);

  // 2. Faults with applications in flight.
  o.log(
    `cluster: ${o.faults} onboardings in flight, then kill -9 of a worker and an API, the Temporal server killed and restarted, PostgreSQL down ${o.pgDownSeconds} s …`,
  );
  const events: string[] = [];
  const t0 = performance.now();
  const at = () => `${((performance.now() - t0) / 1000).toFixed(1)} s`;
  const batch = filings.slice(cursor, cursor + o.faults);
  let filedSoFar = 0;
  const filing = pool(batch, o.concurrency, async (f) => {
    const r = await file(f);
    filedSoFar++;
    return r;
  });
  const when = async (n: number) => {
    while (filedSoFar < n) await new Promise((r) => setTimeout(r, 20));
  };
  const byName = (n: string) => parts.find((p) => p.name === n)!;
  await when(Math.floor(o.faults * 0.25));
  process.kill(byName('worker-1').current().pid!, 'SIGKILL');
  process.kill(byName('api-1').current().pid!, 'SIGKILL');
  events.push(`${at()}: kill -9 of worker-1 and api-1 (${filedSoFar} filed)`);
  await when(Math.floor(o.faults * 0.5));
  await server.stop('SIGKILL');
  events.push(`${at()}: Temporal server SIGKILL (${filedSoFar} filed)`);
  server = await server.restart();
  events.push(`${at()}: Temporal server back`);
  const filed = await filing;
  events.push(`${at()}: all ${filed.length} filed`);
  await pg.stop();
  events.push(`${at()}: PostgreSQL stopped`);
  await new Promise((r) => setTimeout(r, o.pgDownSeconds * 1000));
  pg = await startPg();
  events.push(`${at()}: PostgreSQL back`);
  // The Temporal server may have given up on its database meanwhile: a supervisor starts it again.
  if (server.process.exitCode !== null || server.process.signalCode) {
    events.push(`${at()}: the Temporal server had exited (${server.process.exitCode ?? server.process.signalCode}); started again`);
    server = await server.restart();
  }
  const ids = filed.map((f) => f.id);
  try {
    await untilApproved(ids, 300_000);
    events.push(`${at()}: all ${ids.length} approved`);
  } catch (err) {
    const stuck = await db.onboardingApplication.groupBy({ by: ['status'], where: { id: { in: ids }, status: { not: 'approved' } }, _count: true });
    events.push(`${at()}: ${(err as Error).message}; not approved: ${stuck.map((g) => `${g._count} ${g.status}`).join(', ')}`);
  }
  const wallMs = performance.now() - t0;
  // Mail may still be leaving: a moment for the last confirmations.
  await new Promise((r) => setTimeout(r, 3000));
  const users = await db.registeredUser.count({ where: { applicationId: { in: ids } } });
  const avs = await db.onboardingApplication.findMany({ where: { id: { in: ids } }, select: { avsNumber: true } });
  const duplicateUsers = (await db.registeredUser.count({ where: { avsNumber: { in: avs.map((a) => a.avsNumber) } } })) - users;
  const mails = batch.map((f) => mailsTo(f.email));
  for (const p of parts) if (p.restarts()) events.push(`${p.name} started again ${p.restarts()} time(s)`);
  return {
    runs,
    faults: {
      count: ids.length,
      approved: await approvedCount(ids),
      users,
      duplicateUsers,
      mailsPerApplication: { expected: expectedMails, min: Math.min(...mails), max: Math.max(...mails) },
      events,
      wallMs,
      retries,
    },
  };
}

export function clusterReport(r: ClusterResult): string[] {
  const [one, two] = r.runs;
  const rate = (run: Run) => (run.count / run.wallMs) * 1000;
  const row = (run: Run) => [
    `${run.workers} worker${run.workers > 1 ? 's' : ''}`,
    String(run.count),
    fmtRate(rate(run), 'onboardings'),
    fmtMs(percentile(run.fileMs, 50)),
    fmtMs(percentile(run.fileMs, 99)),
  ];
  const f = r.faults;
  const ok = f.approved === f.count && f.users === f.count && f.duplicateUsers === 0 && f.mailsPerApplication.min === f.mailsPerApplication.max;
  return [
    'Cluster: onboarding through HAProxy, 2 API replicas, the Temporal server on PostgreSQL with mTLS (BENCH_ONLY=cluster)',
    table([['workers', 'onboardings', 'throughput (filed → approved)', 'filing p50', 'filing p99'], row(one!), row(two!)]),
    `  2 workers against 1: ${fmtRatio(rate(two!) / rate(one!))} the throughput`,
    '',
    `Faults with ${f.count} onboardings in flight (${(f.wallMs / 1000).toFixed(1)} s from the first filing to the last approval; ${f.retries} filing retries by the client):`,
    ...f.events.map((e) => `  - ${e}`),
    `  approved ${f.approved}/${f.count}; user rows ${f.users} (${f.duplicateUsers} duplicate); e-mails per application ${f.mailsPerApplication.min}-${f.mailsPerApplication.max} (fault-free: ${f.mailsPerApplication.expected})`,
    `  ${ok && f.mailsPerApplication.min === f.mailsPerApplication.expected ? 'nothing lost, nothing doubled' : 'SOMETHING WENT WRONG: see above'}`,
  ];
}
