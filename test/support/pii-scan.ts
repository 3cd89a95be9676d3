// Personal data in clear where operators can see it (issue 6): after the stack tests, every
// workflow id, search attribute, memo and stored history on the Temporal servers, and every
// log the run wrote, is searched for the test people's AVS numbers, names and e-mails. The
// needles come from the rows the run wrote (every database of the test PostgreSQL server)
// and the people fixtures the run used. A hit fails `npm test`; the report never shows a
// needle in full (the report itself must not leak).
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { ENCRYPTED_ENCODING } from '../../infra/codec';
import { ACCESS_REQUEST_PROCESS } from '../../workflows/access-request/definitions';
import { CONTRACT_PROCESS } from '../../workflows/contract/definitions';
import { DECISION_SERVICE_PROCESS } from '../../workflows/decision-service/definitions';
import { ONBOARDING_PROCESS } from '../../workflows/onboarding/definitions';
import { retentionWorkflowId } from '../../workflows/retention/definitions';
import { TERMS_ROLLOUT_PROCESS } from '../../workflows/terms-rollout/definitions';

type Kind = 'avs' | 'last name' | 'first name' | 'e-mail' | 'mobile phone';
export interface Needle {
  text: string;
  kind: Kind;
  bytes: Buffer;
}
export interface Hit {
  where: 'history' | 'id' | 'search-attribute' | 'memo' | 'log';
  workflowId?: string;
  runId?: string;
  /** For a history hit: the event, e.g. "#5 ACTIVITY_TASK_SCHEDULED". */
  event?: string;
  /** For a log hit: the file and line. */
  file?: string;
  kind: Kind;
  /** Masked: the first 3 characters and ***. */
  needle: string;
  /** The bytes around the hit, every needle in them masked. */
  context: string;
}

/**
 * Never needles: values that are personal data in a test row but also ordinary words of the
 * engine's or the SDK's own text (type names, English messages, stack traces), so a hit on
 * them would say nothing. Matching is case-sensitive, so "Mino" does not hit "minor". Keep it
 * short: every entry is a hole in the scan (neither hits today; they would as soon as some
 * message said "Test…" or "Extra").
 */
const EXCLUDED_NEEDLES = new Set<string>([
  'Test', // a first name in a test (and the start of "Testeur", which stays a needle)
  'Extra', // the non-resident test person's first name; an English word
]);
const MIN_NEEDLE_LENGTH = 4;

export const mask = (s: string) => `${[...s].slice(0, 3).join('')}***`;

// ── needles ────────────────────────────────────────────────────────────────────────────

function databaseUrl(base: string, name: string): string {
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

const TABLES: Array<{ table: string; columns: Array<[string, Kind]> }> = [
  {
    table: 'onboarding_application',
    columns: [
      ['avs_number', 'avs'],
      ['last_name', 'last name'],
      ['first_name', 'first name'],
      ['email', 'e-mail'],
    ],
  },
  {
    table: 'registered_user',
    columns: [
      ['avs_number', 'avs'],
      ['last_name', 'last name'],
      ['first_name', 'first name'],
      ['email', 'e-mail'],
      ['mobile_phone', 'mobile phone'],
    ],
  },
  {
    table: 'access_request',
    columns: [
      ['avs_number', 'avs'],
      ['email', 'e-mail'],
    ],
  },
];

/** The test server's databases: the shared one and those of createTestDatabase() (t_<hex>). */
async function listDatabases(url: string): Promise<string[]> {
  const main = decodeURIComponent(new URL(url).pathname.slice(1));
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE NOT datistemplate`);
    return rows.map((r) => r.datname).filter((d) => d === main || /^t_/.test(d));
  } finally {
    await admin.end();
  }
}

/** Runs `fn` on each database; one created or dropped meanwhile (no tables yet, gone) is skipped. */
async function eachDatabase(url: string, fn: (c: pg.Client) => Promise<void>): Promise<number> {
  let n = 0;
  for (const name of await listDatabases(url)) {
    const c = new pg.Client({ connectionString: databaseUrl(url, name) });
    try {
      await c.connect();
    } catch (err) {
      if ((err as { code?: string }).code === '3D000') continue; // dropped since listed
      throw err;
    }
    try {
      await fn(c);
      n++;
    } finally {
      await c.end();
    }
  }
  return n;
}

const UNDEFINED_TABLE = '42P01';
async function rowsOf(c: pg.Client, sql: string): Promise<Array<Record<string, unknown>>> {
  try {
    return (await c.query(sql)).rows;
  } catch (err) {
    if ((err as { code?: string }).code === UNDEFINED_TABLE) return []; // not migrated yet
    throw err;
  }
}

function addValue(into: Map<string, Kind>, kind: Kind, raw: unknown): void {
  if (typeof raw !== 'string') return;
  const v = raw.trim();
  // As stored, and as it would read in a JSON string (escaped quotes) and in a URL path.
  const forms = [v, JSON.stringify(v).slice(1, -1), encodeURIComponent(v)];
  if (kind === 'avs') forms.push(v.replace(/\D/g, ''));
  for (const f of forms) if ([...f].length >= MIN_NEEDLE_LENGTH && !EXCLUDED_NEEDLES.has(f) && !into.has(f)) into.set(f, kind);
}

/**
 * The people fixtures the run used besides the database: the demo people `npm start` serves
 * (start.test.ts runs it on a database of its own), and the register fixtures test files
 * wrote (testPeople(), in the temp dir) since `sinceMs` — their rows may be gone by the end
 * (retention destroys records), their data must still not be anywhere in clear.
 */
function fixtureValues(into: Map<string, Kind>, sinceMs: number | undefined): number {
  const root = join(__dirname, '..', '..');
  const files = [join(root, 'fakes/registers/demo-people.json')];
  const demo = join(root, 'scripts/demo');
  if (existsSync(demo)) for (const f of readdirSync(demo)) if (f.endsWith('.json')) files.push(join(demo, f));
  if (sinceMs !== undefined) {
    for (const d of readdirSync(tmpdir())) {
      if (!d.startsWith('guichet-people-')) continue;
      const f = join(tmpdir(), d, 'people.json');
      try {
        if (statSync(f).mtimeMs >= sinceMs) files.push(f);
      } catch {
        // another run's, removed meanwhile
      }
    }
  }
  let n = 0;
  for (const f of files) {
    let doc: unknown;
    try {
      doc = JSON.parse(readFileSync(f, 'utf8'));
    } catch {
      continue;
    }
    const people = Array.isArray((doc as { people?: unknown }).people) ? (doc as { people: unknown[] }).people : [doc];
    for (const p of people as Array<Record<string, unknown>>) {
      addValue(into, 'avs', p.avsNumber);
      addValue(into, 'last name', p.lastName);
      addValue(into, 'first name', p.firstName);
      addValue(into, 'e-mail', p.email);
    }
    n++;
  }
  return n;
}

export interface PersonalData {
  needles: Needle[];
  databases: number;
  fixtureFiles: number;
}

/**
 * The personal data the run wrote, as needles: from every database of the test server, the
 * AVS numbers (also digits only), last and first names and e-mails of onboarding_application,
 * registered_user and access_request; plus the fixtures' people (see fixtureValues).
 */
export async function collectPersonalData(url: string, opts: { fixturesSinceMs?: number } = {}): Promise<PersonalData> {
  const values = new Map<string, Kind>();
  const databases = await eachDatabase(url, async (c) => {
    for (const { table, columns } of TABLES) {
      for (const row of await rowsOf(c, `SELECT ${columns.map(([col]) => col).join(', ')} FROM ${table}`)) {
        for (const [col, kind] of columns) addValue(values, kind, row[col]);
      }
    }
  });
  const fixtureFiles = fixtureValues(values, opts.fixturesSinceMs);
  const needles = [...values].map(([text, kind]) => ({ text, kind, bytes: Buffer.from(text, 'utf8') }));
  return { needles, databases, fixtureFiles };
}

// ── matching ───────────────────────────────────────────────────────────────────────────

/**
 * Finds every needle in a buffer in one pass: needles indexed by their first 4 bytes (all
 * needles have at least 4), each position's 4 bytes looked up, candidates compared.
 */
export class Matcher {
  private readonly byPrefix = new Map<number, Needle[]>();
  constructor(readonly needles: Needle[]) {
    for (const n of needles) {
      if (n.bytes.length < 4) continue;
      const key = n.bytes.readUInt32LE(0);
      const list = this.byPrefix.get(key);
      if (list) list.push(n);
      else this.byPrefix.set(key, [n]);
    }
  }

  find(buf: Uint8Array): Array<{ at: number; needle: Needle }> {
    const found: Array<{ at: number; needle: Needle }> = [];
    if (this.byPrefix.size === 0) return found;
    const b = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
    for (let i = 0; i + 4 <= b.length; i++) {
      const list = this.byPrefix.get((b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0);
      if (!list) continue;
      for (const n of list)
        if (i + n.bytes.length <= b.length && b.compare(n.bytes, 0, n.bytes.length, i, i + n.bytes.length) === 0) found.push({ at: i, needle: n });
    }
    return found;
  }

  /** The text with every needle in it masked. */
  maskAll(text: string): string {
    const b = Buffer.from(text, 'utf8');
    return this.context(b, 0, b.length, 0);
  }

  /** Text around a hit, readable, with every needle in it masked. */
  context(buf: Uint8Array, at: number, length: number, radius = 60): string {
    const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
    const start = Math.max(0, at - radius);
    const end = Math.min(b.length, at + length + radius);
    const slice = b.subarray(start, end);
    const hits = this.find(slice).sort((x, y) => x.at - y.at);
    let out = '';
    let pos = 0;
    const printable = (s: Buffer) =>
      [...s.toString('utf8')]
        .map((ch) => (ch.codePointAt(0)! < 0x20 || (ch.codePointAt(0)! >= 0x7f && ch.codePointAt(0)! < 0xa0) || ch === '\ufffd' ? '·' : ch))
        .join('');
    for (const h of hits) {
      if (h.at < pos) continue;
      out += printable(slice.subarray(pos, h.at)) + `«${mask(h.needle.text)}»`;
      pos = h.at + h.needle.bytes.length;
    }
    return (start > 0 ? '…' : '') + out + printable(slice.subarray(pos)) + (end < b.length ? '…' : '');
  }
}

function hitsIn(m: Matcher, buf: Uint8Array, base: Omit<Hit, 'kind' | 'needle' | 'context'>): Hit[] {
  return m.find(buf).map(({ at, needle }) => ({ ...base, kind: needle.kind, needle: mask(needle.text), context: m.context(buf, at, needle.bytes.length) }));
}

// ── Temporal ───────────────────────────────────────────────────────────────────────────

type Payloadish = { metadata?: Record<string, Uint8Array> | null; data?: Uint8Array | null };
const ENCRYPTED = Buffer.from(ENCRYPTED_ENCODING);

/**
 * Drops the ciphertext of encrypted payloads (the codec's `binary/encrypted`), in place.
 * Ciphertext holds nothing in clear, but is random bytes: megabytes of it would match short
 * needles (4-byte names) by chance. Everything else of the history is kept: unencrypted
 * payloads, failure messages, type names, ids, headers.
 */
function dropCiphertext(node: unknown, seen = new Set<unknown>()): void {
  if (node === null || typeof node !== 'object' || node instanceof Uint8Array || seen.has(node)) return;
  seen.add(node);
  if (Array.isArray(node)) {
    for (const x of node) dropCiphertext(x, seen);
    return;
  }
  const p = node as Payloadish;
  const enc = p.metadata?.encoding;
  if (p.data instanceof Uint8Array && enc instanceof Uint8Array && Buffer.from(enc).equals(ENCRYPTED)) {
    p.data = new Uint8Array(0);
    return;
  }
  for (const v of Object.values(node)) dropCiphertext(v, seen);
}

const grpcCode = (err: unknown) => (err as { code?: number }).code;
const UNIMPLEMENTED = 12;
const NOT_FOUND = 5;

type RawInfo = temporal.api.workflow.v1.IWorkflowExecutionInfo;

async function* listExecutions(conn: Connection, namespace: string): AsyncGenerator<RawInfo> {
  let nextPageToken: Uint8Array | undefined;
  do {
    const res = await conn.workflowService.listWorkflowExecutions({ namespace, pageSize: 1000, nextPageToken });
    yield* res.executions;
    nextPageToken = res.nextPageToken ?? undefined;
  } while (nextPageToken && nextPageToken.length > 0);
}

/** The older visibility API (open and closed lists), which the time-skipping server implements. */
async function* listOpenAndClosed(conn: Connection, namespace: string): AsyncGenerator<RawInfo> {
  for (const which of ['open', 'closed'] as const) {
    let nextPageToken: Uint8Array | undefined;
    do {
      const req = { namespace, maximumPageSize: 1000, nextPageToken };
      const res = which === 'open' ? await conn.workflowService.listOpenWorkflowExecutions(req) : await conn.workflowService.listClosedWorkflowExecutions(req);
      yield* res.executions;
      nextPageToken = res.executions.length > 0 ? (res.nextPageToken ?? undefined) : undefined;
    } while (nextPageToken && nextPageToken.length > 0);
  }
}

/** Every workflow's id, as the engine forms it, from the rows of every test database. */
export async function workflowIdsFromDatabases(url: string): Promise<string[]> {
  const ids = new Set<string>();
  const add = (prefix: string, rows: Array<Record<string, unknown>>, col: string) => {
    for (const r of rows) if (typeof r[col] === 'string') ids.add(prefix ? `${prefix}/${String(r[col])}` : String(r[col]));
  };
  await eachDatabase(url, async (c) => {
    add('', await rowsOf(c, 'SELECT workflow_id FROM task'), 'workflow_id');
    add(ONBOARDING_PROCESS, await rowsOf(c, 'SELECT id FROM onboarding_application'), 'id');
    add(CONTRACT_PROCESS, await rowsOf(c, 'SELECT id FROM contract'), 'id');
    add(ACCESS_REQUEST_PROCESS, await rowsOf(c, 'SELECT id FROM access_request'), 'id');
    add(DECISION_SERVICE_PROCESS, await rowsOf(c, 'SELECT id FROM decision'), 'id');
    add(TERMS_ROLLOUT_PROCESS, await rowsOf(c, 'SELECT version FROM terms_version'), 'version');
    for (const [kind, table] of [
      ['onboarding-application', 'onboarding_application'],
      ['contract', 'contract'],
      ['access-request', 'access_request'],
      ['decision', 'decision'],
    ] as const) {
      for (const r of await rowsOf(c, `SELECT id FROM ${table}`)) ids.add(retentionWorkflowId(kind, String(r.id)));
    }
  });
  return [...ids];
}

async function* describeEach(conn: Connection, namespace: string, ids: string[]): AsyncGenerator<RawInfo> {
  for (const workflowId of ids) {
    try {
      const res = await conn.workflowService.describeWorkflowExecution({ namespace, execution: { workflowId } });
      if (res.workflowExecutionInfo) yield res.workflowExecutionInfo;
    } catch (err) {
      if (grpcCode(err) !== NOT_FOUND) throw err; // never started on this server
    }
  }
}

async function historyEvents(conn: Connection, namespace: string, execution: { workflowId: string; runId?: string }) {
  const events: temporal.api.history.v1.IHistoryEvent[] = [];
  let nextPageToken: Uint8Array | undefined;
  do {
    const res = await conn.workflowService.getWorkflowExecutionHistory({ namespace, execution, nextPageToken });
    events.push(...(res.history?.events ?? []));
    nextPageToken = res.nextPageToken ?? undefined;
  } while (nextPageToken && nextPageToken.length > 0);
  return events;
}

async function boundedEach<T>(items: AsyncIterable<T>, concurrency: number, fn: (t: T) => Promise<void>): Promise<void> {
  const running = new Set<Promise<void>>();
  let failure: unknown;
  for await (const item of items) {
    if (failure) break;
    const p: Promise<void> = fn(item)
      .catch((err) => void (failure ??= err))
      .finally(() => running.delete(p));
    running.add(p);
    if (running.size >= concurrency) await Promise.race(running);
  }
  await Promise.all(running);
  if (failure) throw failure;
}

export interface TemporalScan {
  workflows: number;
  events: number;
  historyBytes: number;
  /** How the executions were found: visibility (list), the open/closed lists, or ids built from the database rows. */
  listedBy: 'list' | 'open-closed' | 'database-ids';
  hits: Hit[];
}

/**
 * Every execution on a Temporal server, as the server stores it (raw gRPC, no data converter
 * and no codec): its id, search attributes, memo and full history are searched.
 *
 * Executions are listed with ListWorkflowExecutions (the dev server has visibility); where
 * that is unimplemented (the Java time-skipping server), with the open and closed lists; and
 * if those fail too, by describing the ids built from the database rows (`fallbackIds`).
 */
export async function scanTemporal(
  target: { address: string } | { connection: Connection },
  namespace: string,
  needles: Needle[],
  opts: { concurrency?: number; fallbackIds?: () => Promise<string[]> } = {},
): Promise<TemporalScan> {
  const conn = 'connection' in target ? target.connection : await Connection.connect({ address: target.address });
  const m = new Matcher(needles);
  const scan: TemporalScan = { workflows: 0, events: 0, historyBytes: 0, listedBy: 'list', hits: [] };
  const seen = new Set<string>();
  try {
    const each = async (info: RawInfo) => {
      const workflowId = info.execution?.workflowId ?? '';
      const runId = info.execution?.runId ?? undefined;
      const key = `${workflowId}\u0000${runId ?? ''}`;
      if (seen.has(key)) return;
      seen.add(key);
      scan.workflows++;
      const base = { workflowId: m.maskAll(workflowId), runId }; // an id could hold a needle itself
      scan.hits.push(...hitsIn(m, Buffer.from(workflowId, 'utf8'), { where: 'id', ...base }));
      if (info.searchAttributes) {
        const sa = structuredClone(info.searchAttributes);
        dropCiphertext(sa);
        scan.hits.push(...hitsIn(m, temporal.api.common.v1.SearchAttributes.encode(sa).finish(), { where: 'search-attribute', ...base }));
      }
      if (info.memo) {
        const memo = structuredClone(info.memo);
        dropCiphertext(memo);
        scan.hits.push(...hitsIn(m, temporal.api.common.v1.Memo.encode(memo).finish(), { where: 'memo', ...base }));
      }
      let events: temporal.api.history.v1.IHistoryEvent[];
      try {
        events = await historyEvents(conn, namespace, { workflowId, runId });
      } catch (err) {
        if (grpcCode(err) === NOT_FOUND) return; // deleted since listed
        throw err;
      }
      for (const ev of events) {
        dropCiphertext(ev);
        const bytes = temporal.api.history.v1.HistoryEvent.encode(ev).finish();
        scan.events++;
        scan.historyBytes += bytes.length;
        const type = temporal.api.enums.v1.EventType[ev.eventType ?? 0] ?? String(ev.eventType);
        scan.hits.push(...hitsIn(m, bytes, { where: 'history', ...base, event: `#${String(ev.eventId)} ${type.replace(/^EVENT_TYPE_/, '')}` }));
      }
    };
    const concurrency = opts.concurrency ?? 16;
    try {
      await boundedEach(listExecutions(conn, namespace), concurrency, each);
    } catch (err) {
      if (grpcCode(err) !== UNIMPLEMENTED || scan.workflows > 0) throw err;
      try {
        scan.listedBy = 'open-closed';
        await boundedEach(listOpenAndClosed(conn, namespace), concurrency, each);
      } catch (err2) {
        if (grpcCode(err2) !== UNIMPLEMENTED || !opts.fallbackIds) throw err2;
        scan.listedBy = 'database-ids';
        await boundedEach(describeEach(conn, namespace, await opts.fallbackIds()), concurrency, each);
      }
    }
  } finally {
    if (!('connection' in target)) await conn.close();
  }
  return scan;
}

// ── logs ───────────────────────────────────────────────────────────────────────────────

export function scanLogs(files: string[], needles: Needle[]): { bytes: number; hits: Hit[] } {
  const m = new Matcher(needles);
  let bytes = 0;
  const hits: Hit[] = [];
  for (const file of files) {
    const buf = readFileSync(file);
    bytes += buf.length;
    for (const { at, needle } of m.find(buf)) {
      const line = buf.subarray(0, at).reduce((n, c) => (c === 10 ? n + 1 : n), 1);
      hits.push({ where: 'log', file: `${file}:${line}`, kind: needle.kind, needle: mask(needle.text), context: m.context(buf, at, needle.bytes.length, 100) });
    }
  }
  return { bytes, hits };
}

// ── the run's files ────────────────────────────────────────────────────────────────────

/** The run-wide log directory global-setup made (TEST_LOG_DIR), or undefined outside `npm test`. */
export const testLogDir = () => process.env.TEST_LOG_DIR || undefined;

/** A fresh file name in the run's log directory, e.g. logFile('api') → <dir>/api-<pid>-<random>.log. */
export function logFile(prefix: string): string | undefined {
  const dir = testLogDir();
  return dir ? join(dir, `${prefix}-${process.pid}-${randomUUID().slice(0, 8)}.log`) : undefined;
}

export interface SuiteScanRecord {
  suite: string;
  workflows: number;
  /** How long the scan took. */
  ms: number;
  listedBy?: TemporalScan['listedBy'];
  hits: Hit[];
  error?: string;
}

/**
 * A time-skipping suite's scan, before its server goes with it: the server's executions
 * against the needles of the moment, the result (hits or none) left in the log directory for
 * global-teardown.
 */
export async function scanTimeSkippingServer(connection: Connection, namespace: string, suite: string): Promise<void> {
  const dir = testLogDir();
  const url = process.env.TEST_DATABASE_URL;
  if (!dir || !url) return;
  const t0 = Date.now();
  const record: SuiteScanRecord = { suite, workflows: 0, ms: 0, hits: [] };
  try {
    const { needles } = await collectPersonalData(url, { fixturesSinceMs: runStartedMs() });
    const scan = await scanTemporal({ connection }, namespace, needles, { fallbackIds: () => workflowIdsFromDatabases(url) });
    Object.assign(record, { workflows: scan.workflows, listedBy: scan.listedBy, hits: scan.hits });
  } catch (err) {
    record.error = err instanceof Error ? (err.stack ?? err.message) : String(err);
  }
  record.ms = Date.now() - t0;
  writeFileSync(join(dir, `pii-hits-${randomUUID().slice(0, 8)}.json`), JSON.stringify(record, null, 1));
}

export const runStartedMs = () => (process.env.TEST_RUN_STARTED_MS ? Number(process.env.TEST_RUN_STARTED_MS) : undefined);

export function readSuiteRecords(dir: string): SuiteScanRecord[] {
  return readdirSync(dir)
    .filter((f) => /^pii-hits-.*\.json$/.test(f))
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as SuiteScanRecord);
}

export function logFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.log'))
    .map((f) => join(dir, f));
}

/** The report of hits, for stderr: grouped, capped, masked. */
export function formatHits(hits: Hit[], cap = 40): string {
  const lines = hits.slice(0, cap).map((h) => {
    const at = h.where === 'log' ? h.file : `${h.workflowId}${h.runId ? ` (run ${h.runId})` : ''}${h.event ? ` ${h.event}` : ''}`;
    return `  - ${h.where}: ${at}\n    ${h.kind} ${h.needle} in: ${h.context}`;
  });
  if (hits.length > cap) lines.push(`  … and ${hits.length - cap} more`);
  return lines.join('\n');
}
