// 7. Each process through the API against its synthetic twin (./twin): the real stack of the
// tests (API over HTTP, its worker with the payload codec and per-record data keys, the fake
// registers, e-ID verifier and QCA, an SMTP server, PostgreSQL) beside a worker that plays
// back the same shape with empty activities and a bundle of its own, on the same Temporal
// server, interleaved (ABBA ABBA) so drift falls on both alike.
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Worker } from '@temporalio/worker';
import { accessRequestWorkflowId } from '../../workflows/access-request/definitions';
import { decisionServiceWorkflowId } from '../../workflows/decision-service/definitions';
import { contractWorkflowId } from '../../workflows/contract/definitions';
import { onboardingWorkflowId } from '../../workflows/onboarding/definitions';
import { retentionWorkflowId } from '../../workflows/retention/definitions';
import { testPeople, type RegisterEntry } from '../../test/support/applications';
import { signedApplication } from '../../test/support/eid';
import { startStack, type Stack } from '../../test/support/stack';
import { seedUnits } from '../../test/support/units';
import { insertUnit, insertUser, samplePdf } from '../../test/support/decisions';
import { profiled, type ProfileSummary } from './profile';
import { benchStatements, statementReport, type StatementCost } from './statement-bench';
import { cpuDelta, cpuSnapshot, threadCpuMs, threadDelta, threadSum, type CpuSnapshot } from './cpu';
import { fmtMs, fmtRate, fmtRatio, percentile, table } from './stats';
import { countsOf, fmtCounts, readShape, type StartsOf } from './twin/shape';
import { pad, twinUpdate, type TwinActivities, type TwinShape } from './twin/workflows';

export interface ProcessCpu extends CpuSnapshot {
  postgresMs: number;
  /** SQL statements sent by this process. */
  sql: number;
  /** This process's CPU by kind of thread. */
  threads: Record<string, number>;
}

export interface Side {
  timings: number[];
  wallMs: number;
  cpu: ProcessCpu;
  idle: number[];
}

export interface ProcessResult {
  name: string;
  real: Side;
  twin: Side;
  /** The real process with what it started; its workflow alone, and its twin's read back off its history. */
  realCounts: ReturnType<typeof countsOf>;
  realTop: ReturnType<typeof countsOf>;
  twinTop: ReturnType<typeof countsOf>;
  checks: string[];
  /** Where this process's CPU went under load (sampling profiler), per side. */
  profile: { real: ProfileSummary; twin: ProfileSummary } | null;
}

function merged(xs: ProfileSummary[]): ProfileSummary {
  const add = (pick: (s: ProfileSummary) => Array<[string, number]>) => {
    const m = new Map<string, number>();
    for (const x of xs) for (const [k, v] of pick(x)) m.set(k, (m.get(k) ?? 0) + v);
    return [...m].sort((a, b) => b[1] - a[1]);
  };
  return { totalMs: xs.reduce((s, x) => s + x.totalMs, 0), byPackage: add((x) => x.byPackage), byFunction: add((x) => x.byFunction).slice(0, 15) };
}

const CLK_TCK = 100;
/** PostgreSQL's CPU: every postgres process, with the backends that have exited (the postmaster's children). */
function postgresCpuMs(): number {
  let total = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (!stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')).startsWith('postgres')) continue;
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      total += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
    } catch {
      // gone meanwhile
    }
  }
  return (total * 1000) / CLK_TCK;
}
// Every SQL statement this process sends (Prisma's driver adapter and the rest go through pg.Client).
let sqlStatements = 0;
/** BENCH_SQL_TEXTS=1: the statements by text, printed per process. */
export const sqlTexts = new Map<string, number>();
const pgQuery = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  sqlStatements++;
  if (process.env.BENCH_SQL_TEXTS) {
    const q = args[0] as string | { text?: string };
    let text = (typeof q === 'string' ? q : (q?.text ?? '?')).replace(/\s+/g, ' ').slice(0, 90);
    const self = this as pg.Client & { benchAfterBegin?: boolean };
    if (self.benchAfterBegin) text = `[in a transaction, first] ${text}`;
    self.benchAfterBegin = text === 'BEGIN';
    sqlTexts.set(text, (sqlTexts.get(text) ?? 0) + 1);
  }
  return (pgQuery as (...a: unknown[]) => unknown).apply(this, args);
} as typeof pgQuery;

const snap = (serverPid: number | undefined): ProcessCpu => ({
  ...cpuSnapshot(serverPid),
  postgresMs: postgresCpuMs(),
  sql: sqlStatements,
  threads: threadCpuMs(),
});
const delta = (a: ProcessCpu, b: ProcessCpu): ProcessCpu => ({
  ...cpuDelta(a, b),
  postgresMs: b.postgresMs - a.postgresMs,
  sql: b.sql - a.sql,
  threads: threadDelta(a.threads, b.threads),
});
const sum = (xs: ProcessCpu[]): ProcessCpu =>
  xs.reduce(
    (s, x) => ({
      selfMs: s.selfMs + x.selfMs,
      serverMs: s.serverMs + x.serverMs,
      machineMs: s.machineMs + x.machineMs,
      postgresMs: s.postgresMs + x.postgresMs,
      sql: s.sql + x.sql,
      threads: threadSum(s.threads, x.threads),
    }),
    { selfMs: 0, serverMs: 0, machineMs: 0, postgresMs: 0, sql: 0, threads: {} },
  );

/** POST JSON over a keep-alive agent, as a portal does. */
function poster(baseUrl: string) {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const url = new URL(baseUrl);
  const send = (method: 'GET' | 'POST', path: string, token: string, body?: unknown) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const data = body === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(body));
      const req = request(
        {
          agent,
          host: url.hostname,
          port: url.port,
          path,
          method,
          headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json', 'content-length': data.length }) },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(data);
    });
  return {
    post: (path: string, token: string, body: unknown) => send('POST', path, token, body),
    get: (path: string, token: string) => send('GET', path, token),
    close: () => agent.destroy(),
  };
}

/** Waits until the workflow has closed (a long poll on its close event; nothing decoded). */
async function closed(connection: Connection, workflowId: string): Promise<void> {
  let nextPageToken: Uint8Array | undefined;
  for (let i = 0; i < 100; i++) {
    const res = await connection.workflowService.getWorkflowExecutionHistory({
      namespace: 'default',
      execution: { workflowId },
      waitNewEvent: true,
      historyEventFilterType: temporal.api.enums.v1.HistoryEventFilterType.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT,
      nextPageToken,
    });
    const close = res.history?.events?.[0];
    if (close) {
      if (!close.workflowExecutionCompletedEventAttributes) throw new Error(`${workflowId} closed otherwise than completed`);
      return;
    }
    nextPageToken = res.nextPageToken ?? undefined;
  }
  throw new Error(`${workflowId} did not close`);
}

interface Runner {
  /** One process, start to close; its latency in ms. */
  one(i: number): Promise<number>;
}

async function batch(r: Runner, from: number, count: number, concurrency: number): Promise<{ timings: number[]; wallMs: number }> {
  const timings: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        const i = from + next++;
        timings.push(await r.one(i));
      }
    }),
  );
  return { timings, wallMs: performance.now() - t0 };
}

export interface ProcessBenchOptions {
  temporalAddress: string;
  databaseUrl: string;
  serverPid: number | undefined;
  /** Processes per side (real, twin) under load, and in flight. */
  count: number;
  concurrency: number;
  idle: number;
  warmup: number;
  log: (m: string) => void;
  stops: Array<{ name: string; stop: () => Promise<void> }>;
}

export async function benchProcesses(o: ProcessBenchOptions): Promise<{ processes: ProcessResult[]; statements: StatementCost[] }> {
  const ORDER = ['real', 'twin', 'twin', 'real', 'real', 'twin', 'twin', 'real'] as const;
  const perRound = Math.max(1, Math.ceil(o.count / (ORDER.length / 2)));
  // Each onboarding needs a person of its own (the user register keeps AVS numbers unique).
  const people = o.warmup + 2 * o.idle + ORDER.length * perRound + 2;
  const extra: Record<string, Partial<RegisterEntry>> = {};
  for (let i = 0; i < people; i++) extra[`bench${i}`] = { firstName: `Banc${i}`, birthDate: '1980-05-05', commune: 'Delémont' };
  const { people: registered, fixturePath } = testPeople(extra);
  const persons = Object.entries(registered)
    .filter(([k]) => k.startsWith('bench'))
    .map(([, p]) => p);

  await seedUnits(o.databaseUrl);
  process.env.TEST_TEMPORAL_ADDRESS = o.temporalAddress;
  process.env.TEST_DATABASE_URL = o.databaseUrl;
  o.log('7/7 processes: starting the real stack (API on HTTP, worker, fake registers, e-ID verifier, QCA, SMTP) …');
  const stack: Stack = await startStack({ fixturePath, eidWebhook: true, eid: { statusListSize: Math.max(128, 8 * Math.ceil(people / 8)) } });
  o.stops.push({ name: 'real stack', stop: () => stack.stop() });

  // The twin: its own bundle (the twin workflow alone), plain converter, empty activities.
  o.log('7/7 processes: bundling the twin and starting its worker …');
  const twinConnection = await Connection.connect({ address: o.temporalAddress });
  o.stops.push({ name: 'twin client connection', stop: () => twinConnection.close() });
  const twinClient = new Client({ connection: twinConnection });
  const twinQueue = `bench-twin-${randomUUID()}`;
  const activities: TwinActivities = {
    async twinActivity(_pad, resultBytes) {
      return pad(resultBytes);
    },
    async twinStart(shapes, _pad, resultBytes) {
      for (const s of shapes)
        await twinClient.workflow.start('twin', { taskQueue: twinQueue, workflowId: `twin-${s.process}-${randomUUID()}`, args: [s, pad(s.inputBytes)] });
      return pad(resultBytes);
    },
  };
  const twinBundle = await bundleWorkflowCode({ workflowsPath: require.resolve('./twin/workflows'), logger: new DefaultLogger('ERROR') });
  const twinNative = await NativeConnection.connect({ address: o.temporalAddress });
  o.stops.push({ name: 'twin worker connection', stop: () => twinNative.close() });
  const twinWorker = await Worker.create({ connection: twinNative, namespace: 'default', taskQueue: twinQueue, workflowBundle: twinBundle, activities });
  const twinRunning = twinWorker.run();
  o.stops.push({
    name: 'twin worker',
    stop: async () => {
      if (twinWorker.getState() === 'RUNNING') twinWorker.shutdown();
      await twinRunning;
    },
  });
  const api = poster(stack.apiUrl!);
  o.stops.push({ name: 'HTTP client', stop: async () => api.close() });
  const unitToken = await stack.token({ role: 'unit', unit: 'SPOP', sub: 'unit-agent-SPOP' });

  const twinRunner = (shape: TwinShape, updates: number): Runner => ({
    async one() {
      const t0 = performance.now();
      const workflowId = `twin-${shape.process}-${randomUUID()}`;
      const h = await twinClient.workflow.start('twin', { taskQueue: twinQueue, workflowId, args: [shape, pad(shape.inputBytes)] });
      for (let n = 0; n < updates; n++) await h.executeUpdate(twinUpdate, { args: [n] });
      await closed(twinConnection, workflowId);
      return performance.now() - t0;
    },
  });

  // ── Onboarding: the e-ID proved and the contract signed beforehand (the portal's and the wallet's part) ──
  o.log(`7/7 processes: ${persons.length} e-ID verifications and qualified signatures for the onboardings (not timed) …`);
  const tokens: string[] = [];
  const bodies: unknown[] = [];
  for (const [i, p] of persons.entries()) {
    const token = await stack.token({ role: 'citizen', sub: `bench-citizen-${i}-${randomUUID()}` });
    tokens.push(token);
    bodies.push(await signedApplication(stack, token, p, `banc${i}@example.ch`));
  }
  // What this section filed: the database may hold other sections' rows (`npm run bench` runs them all on one).
  const filedApplications: string[] = [];
  const filedRequests: string[] = [];
  const onboardingReal: Runner = {
    async one(i) {
      const t0 = performance.now();
      const res = await api.post('/v1/onboarding/applications', tokens[i]!, bodies[i]);
      if (res.status !== 202) throw new Error(`onboarding ${i}: ${res.status} ${res.body.slice(0, 300)}`);
      const { applicationId } = JSON.parse(res.body) as { applicationId: string };
      filedApplications.push(applicationId);
      await closed(stack.client.connection as Connection, onboardingWorkflowId(applicationId));
      return performance.now() - t0;
    },
  };
  const accessReal: Runner = {
    async one() {
      const t0 = performance.now();
      const token = await stack.token({ role: 'citizen', sub: `bench-requester-${randomUUID()}` });
      const filed = await api.post('/v1/access-requests', token, {
        unitId: 'SPOP',
        service: 'archives',
        avsNumber: '756.9217.0769.85',
        email: 'bench@example.ch',
      });
      if (filed.status !== 202) throw new Error(`access request: ${filed.status} ${filed.body.slice(0, 300)}`);
      const { requestId } = JSON.parse(filed.body) as { requestId: string };
      filedRequests.push(requestId);
      const decided = await api.post(`/v1/access-requests/${requestId}/decision`, unitToken, { outcome: 'grant' });
      if (decided.status !== 200) throw new Error(`decision: ${decided.status} ${decided.body.slice(0, 300)}`);
      await closed(stack.client.connection as Connection, accessRequestWorkflowId(requestId));
      return performance.now() - t0;
    },
  };

  // ── Decision service, electronic (Art. 16): the unit serves a PDF, the recipient is told by
  // e-mail, looks at it on the counter and opens it; served, the process ends. Each recipient
  // has consented beforehand (not timed).
  const decisionUnit = await insertUnit(stack.db, { domains: ['population'] });
  const decisionUnitToken = await stack.token({ role: 'unit', sub: `agent-${decisionUnit}`, unit: decisionUnit, domains: ['population'] });
  const recipients: Array<{ sub: string; email: string; token: string }> = [];
  o.log(`7/7 processes: ${people} recipients consenting to electronic service (not timed) …`);
  for (let i = 0; i < people; i++) {
    const user = await insertUser(stack.db);
    const token = await stack.token({ role: 'citizen', sub: user.sub });
    const consent = await api.post('/v1/me/service-consents', token, { unitId: decisionUnit, domain: 'population' });
    if (consent.status !== 201) throw new Error(`consent ${i}: ${consent.status} ${consent.body.slice(0, 300)}`);
    recipients.push({ ...user, token });
  }
  const decisionPdf = samplePdf('Decision de banc').toString('base64');
  let decisionLooks = 0;
  const decisionReal: Runner = {
    async one(i) {
      const r = recipients[i]!;
      const t0 = performance.now();
      const served = await api.post('/v1/decisions', decisionUnitToken, {
        recipientSub: r.sub,
        unitId: decisionUnit,
        domain: 'population',
        reference: `BANC-${i}-${randomUUID().slice(0, 8)}`,
        title: 'Décision de banc',
        documentPdfBase64: decisionPdf,
        remedy: { kind: 'opposition', days: 30 },
        legalRemediesText: 'Opposition dans les 30 jours auprès du Service de la population, Rue du 24-Septembre 1, 2800 Delémont.',
      });
      if (served.status !== 202) throw new Error(`decision ${i}: ${served.status} ${served.body.slice(0, 300)}`);
      const { decisionId } = JSON.parse(served.body) as { decisionId: string };
      await stack.mail.waitFor((m) => m.to.includes(r.email), 60_000);
      // The recipient looks at it on the counter (until it shows in her inbox), then opens it.
      for (let tries = 0; ; tries++) {
        decisionLooks++;
        const d = await api.get(`/v1/decisions/${decisionId}`, r.token);
        if (d.status === 200 && (JSON.parse(d.body) as { state: string }).state === 'awaiting-opening') break;
        if (tries > 500) throw new Error(`decision ${i}: never awaiting its opening (${d.status} ${d.body.slice(0, 200)})`);
        await new Promise((res) => setTimeout(res, 20));
      }
      const opened = await api.post(`/v1/decisions/${decisionId}/open`, r.token, {});
      if (opened.status !== 200) throw new Error(`opening ${i}: ${opened.status} ${opened.body.slice(0, 300)}`);
      await closed(stack.client.connection as Connection, decisionServiceWorkflowId(decisionId));
      return performance.now() - t0;
    },
  };

  const results: ProcessResult[] = [];
  let cursor = 0;
  const measure = async (name: string, real: Runner, shapeOf: () => Promise<TwinShape>, updates: number, checks: () => Promise<string[]>) => {
    o.log(`7/7 ${name}: one through the API, to read its shape …`);
    await real.one(cursor++);
    const shape = await shapeOf();
    const twin = twinRunner(shape, updates);
    const sides = { real, twin };
    const out = {
      real: { timings: [] as number[], wallMs: 0, cpu: [] as ProcessCpu[], idle: [] as number[] },
      twin: { timings: [] as number[], wallMs: 0, cpu: [] as ProcessCpu[], idle: [] as number[] },
    };
    o.log(`7/7 ${name}: warm-up (${o.warmup} each) …`);
    await batch(real, cursor, o.warmup, o.concurrency);
    cursor += o.warmup;
    await batch(twin, 0, o.warmup, o.concurrency);
    const idle = async () => {
      for (const side of ['real', 'twin', 'twin', 'real'] as const) {
        const b = await batch(sides[side], cursor, Math.ceil(o.idle / 2), 1);
        if (side === 'real') cursor += b.timings.length;
        out[side].idle.push(...b.timings);
      }
    };
    const profiles = { real: [] as ProfileSummary[], twin: [] as ProfileSummary[] };
    o.log(`7/7 ${name}: one at a time …`);
    sqlTexts.clear();
    await idle();
    for (const [k, side] of ORDER.entries()) {
      o.log(`7/7 ${name}: round ${k + 1}/${ORDER.length}, ${perRound} ${side}, ${o.concurrency} in flight …`);
      const before = snap(o.serverPid);
      const { result: b, summary } = await profiled(`${name}-${side}-${k + 1}`, () => batch(sides[side], cursor, perRound, o.concurrency));
      if (summary) profiles[side].push(summary);
      out[side].cpu.push(delta(before, snap(o.serverPid)));
      if (side === 'real') cursor += perRound;
      out[side].timings.push(...b.timings);
      out[side].wallMs += b.wallMs;
    }
    if (process.env.BENCH_SQL_TEXTS) {
      const n = out.real.timings.length + out.twin.timings.length;
      o.log(
        `SQL statements of ${name}, per process:\n${[...sqlTexts]
          .sort((a, b) => b[1] - a[1])
          .slice(0, 40)
          .map(([t, c]) => `  ${(c / (n / 2)).toFixed(2)}  ${t}`)
          .join('\n')}`,
      );
    }
    const res: ProcessResult = {
      name,
      real: { ...out.real, cpu: sum(out.real.cpu) },
      twin: { ...out.twin, cpu: sum(out.twin.cpu) },
      realCounts: countsOf(shape),
      realTop: countsOf(shape, false),
      twinTop: countsOf(await readShape(twinClient, (await lastTwin(twinClient, shape.process)) ?? ''), false),
      checks: await checks(),
      profile: profiles.real.length ? { real: merged(profiles.real), twin: merged(profiles.twin) } : null,
    };
    results.push(res);
  };

  await measure(
    'onboarding',
    onboardingReal,
    async () => {
      const a = { id: filedApplications[0]! };
      const contract = await stack.db.contract.findUniqueOrThrow({ where: { applicationId: a.id }, select: { id: true } });
      const starts: StartsOf = (type) =>
        type === 'recordChecks'
          ? [retentionWorkflowId('onboarding-application', a.id)]
          : type === 'handOverToContractLifecycle'
            ? [contractWorkflowId(contract.id)]
            : [];
      return readShape(stack.client, onboardingWorkflowId(a.id), starts);
    },
    0,
    async () => {
      const onboardingsFiled = filedApplications.length;
      const approved = await stack.db.onboardingApplication.count({ where: { id: { in: filedApplications }, status: 'approved' } });
      const users = await stack.db.registeredUser.count({ where: { applicationId: { in: filedApplications } } });
      const mails = stack.mail.messages.filter((m) => /^banc\d+@example\.ch$/.test(m.to[0] ?? ''));
      const kinds = new Set(mails.map((m) => `${m.to[0]}\u0000${m.subject}`));
      const recipients = new Set(mails.map((m) => m.to[0]));
      const problems: string[] = [];
      if (approved !== onboardingsFiled) problems.push(`${approved} approved of ${onboardingsFiled} filed`);
      if (users !== onboardingsFiled) problems.push(`${users} users for ${onboardingsFiled} applications`);
      if (recipients.size !== onboardingsFiled) problems.push(`${recipients.size} applicants e-mailed of ${onboardingsFiled}`);
      if (kinds.size !== mails.length) problems.push(`${mails.length - kinds.size} e-mails sent twice`);
      return problems;
    },
  );
  cursor = 0;
  await measure(
    'access request',
    accessReal,
    async () => {
      const r = { id: filedRequests[0]! };
      return readShape(stack.client, accessRequestWorkflowId(r.id), (type) =>
        type === 'recordAccessRequest' ? [retentionWorkflowId('access-request', r.id)] : [],
      );
    },
    1,
    async () => {
      const open = await stack.db.accessRequest.count({ where: { id: { in: filedRequests }, status: { not: 'granted' } } });
      return open ? [`${open} access requests not granted`] : [];
    },
  );
  cursor = 0;
  await measure(
    'decision service',
    decisionReal,
    async () => {
      const d = await stack.db.decision.findFirstOrThrow({ where: { unitId: decisionUnit, state: 'served' }, select: { id: true } });
      return readShape(stack.client, decisionServiceWorkflowId(d.id), (type) => (type === 'recordService' ? [retentionWorkflowId('decision', d.id)] : []));
    },
    1,
    async () => {
      const served = await stack.db.decision.count({ where: { unitId: decisionUnit, state: 'served', channel: 'electronic' } });
      const all = await stack.db.decision.count({ where: { unitId: decisionUnit } });
      const problems = served === all ? [] : [`${all - served} of ${all} decisions not served electronically`];
      return [...problems, ...(decisionLooks > 2 * all ? [`${decisionLooks} looks for ${all} decisions (the inbox lagged the e-mail)`] : [])];
    },
  );
  o.log('7/7 what one SQL statement costs, by the way it is sent …');
  return { processes: results, statements: await benchStatements(stack.db, o.databaseUrl) };
}

/** The id of a twin of this process that has completed (to read its shape back). */
async function lastTwin(client: Client, process: string): Promise<string | undefined> {
  for await (const w of client.workflow.list({ query: `WorkflowType = 'twin' AND ExecutionStatus = 'Completed'`, pageSize: 100 })) {
    if (w.workflowId.startsWith(`twin-${process}-`)) return w.workflowId;
  }
  return undefined;
}

export const p = (xs: number[], q: number) => percentile(xs, q);

/** The section's lines of the report. */
export function processReport(
  { processes: results, statements }: { processes: ProcessResult[]; statements: StatementCost[] },
  o: { count: number; concurrency: number; idle: number },
): string[] {
  const out: string[] = [];
  out.push(
    `7. Processes through the API against their synthetic twins — ${o.count} per side under load (ABBA ABBA, 4 rounds each), ${o.concurrency} in flight;`,
  );
  out.push(`   ${o.idle} per side one at a time (unloaded). Real: HTTP → API → worker (codec, data keys, PostgreSQL, SMTP, fake registers);`);
  out.push('   twin: the same shape read off a real history, empty activities, its own bundle, no codec, started by a client. CPU per process:');
  out.push('   this process = API + worker + clients (real) or twin worker + client (twin); rest = the machine less the others.');
  const rows: string[][] = [['', 'throughput', 'p50', 'p99', 'unloaded p50', 'CPU: this process', 'Temporal server', 'PostgreSQL', 'rest', 'SQL statements']];
  for (const r of results) {
    const rate = (s: Side) => s.timings.length / (s.wallMs / 1000);
    const row = (label: string, s: Side) => {
      const n = s.timings.length;
      const rest = Math.max(0, s.cpu.machineMs - s.cpu.selfMs - s.cpu.serverMs - s.cpu.postgresMs);
      return [
        label,
        fmtRate(rate(s), 'wf'),
        fmtMs(p(s.timings, 50)),
        fmtMs(p(s.timings, 99)),
        fmtMs(p(s.idle, 50)),
        fmtMs(s.cpu.selfMs / n),
        fmtMs(s.cpu.serverMs / n),
        fmtMs(s.cpu.postgresMs / n),
        fmtMs(rest / n),
        (s.cpu.sql / n).toFixed(1),
      ];
    };
    rows.push(row(`${r.name}: real, through the API`, r.real));
    rows.push(row(`${r.name}: twin (the floor)`, r.twin));
    const cpuRatio = (f: (c: ProcessCpu) => number) => fmtRatio(f(r.real.cpu) / r.real.timings.length / (f(r.twin.cpu) / r.twin.timings.length));
    rows.push([
      `${r.name}: ratio real / twin`,
      `${fmtRatio(rate(r.real) / rate(r.twin))} (≥ 0.85)`,
      fmtRatio(p(r.real.timings, 50) / p(r.twin.timings, 50)),
      fmtRatio(p(r.real.timings, 99) / p(r.twin.timings, 99)),
      `${fmtRatio(p(r.real.idle, 50) / p(r.twin.idle, 50))} (≤ 1.5)`,
      cpuRatio((c) => c.selfMs),
      cpuRatio((c) => c.serverMs),
      cpuRatio((c) => c.postgresMs),
      '',
      '',
    ]);
  }
  out.push(table(rows));
  for (const r of results) {
    const same = JSON.stringify(r.realTop) === JSON.stringify(r.twinTop);
    out.push(`   ${r.name}: ${fmtCounts(r.realCounts)} in all (with what it started);`);
    out.push(`     its own workflow ${fmtCounts(r.realTop)}; the twin's, read back: ${same ? 'the same' : fmtCounts(r.twinTop)}`);
    const per = (ms: number, n: number) => fmtMs(ms / n);
    const byThread = (side: 'real' | 'twin') =>
      Object.entries(r[side].cpu.threads)
        .sort((a, b) => b[1] - a[1])
        .map(([k, v]) => `${k} ${per(v, r[side].timings.length)}`)
        .join(', ');
    out.push(`     this process's CPU per process by thread: real: ${byThread('real')}`);
    out.push(`       twin: ${byThread('twin')}`);
    const prof = r.profile;
    const show = (side: 'real' | 'twin') => {
      const s = prof![side];
      const n = r[side].timings.length;
      return s.byPackage
        .slice(0, 8)
        .map(([k, v]) => `${k} ${per(v, n)}`)
        .join(', ');
    };
    if (prof)
      out.push(
        `     this process's CPU per process, sampled (self time by package): real ${fmtMs(prof.real.totalMs / r.real.timings.length)}: ${show('real')}`,
      );
    if (prof) out.push(`       twin ${fmtMs(prof.twin.totalMs / r.twin.timings.length)}: ${show('twin')}`);
    if (prof)
      out.push(
        `       real, top functions: ${prof.real.byFunction
          .slice(0, 8)
          .map(([k, v]) => `${k} ${per(v, r.real.timings.length)}`)
          .join('; ')}`,
      );
    out.push(
      `     ${r.checks.length ? `CHECK FAILED: ${r.checks.join('; ')}` : 'checks ok: every process ended in its right state, one user row and one e-mail of each kind per application'}`,
    );
  }
  out.push(...statementReport(statements));
  return out;
}
