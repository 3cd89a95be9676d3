// 5. The Chancellery's inbox: GET /v1/tasks over real HTTP against the real API, with 100 and
// then 10,000 open tasks in a database of its own — the first page, a page half-way down (keyset
// cursor), and filtered pages. Keyset paging over composite indexes should cost the same at
// both sizes (goal: ratio ≤ 1.5).
import type { Server } from 'node:http';
import { Client, type Connection } from '@temporalio/client';
import pg from 'pg';
import { createApp } from '../../api/app';
import { createVerifier } from '../../api/auth';
import { AesGcmCodec } from '../../infra/codec';
import { createDb } from '../../infra/db';
import { LocalIssuer } from '../../infra/local-issuer';
import { createLogger } from '../../infra/logger';
import { freePort } from '../lib/ports';
import { migrateDeploy } from '../lib/migrate';
import { performance } from 'node:perf_hooks';
import { httpGetter } from './api-bench';
import { fmtMs, fmtRatio, percentile, table } from './stats';

export const INBOX_SIZES = [100, 10_000] as const;
const QUERIES = [
  { name: 'first page', query: 'limit=25' },
  { name: 'half-way down (keyset cursor)', query: 'limit=25', deep: true },
  { name: 'review, unclaimed', query: 'limit=25&kind=review&claimedBy=none' },
  { name: 'JU, one commune, latest due first', query: 'limit=25&canton=JU&commune=Porrentruy&order=desc' },
  { name: 'claimed by me, overdue=false', query: 'limit=25&claimedBy=me&overdue=false' },
] as const;

export interface InboxResult {
  iterations: number;
  /** query name → size → latencies (ms) */
  latencies: Map<string, Map<number, number[]>>;
}

interface Stop {
  name: string;
  stop: () => Promise<void>;
}

export async function benchInbox(o: {
  adminUrl: string;
  root: string;
  connection: Connection;
  iterations: number;
  log: (m: string) => void;
  stops: Stop[];
}): Promise<InboxResult> {
  const issuerPort = await freePort();
  const issuer = await LocalIssuer.create(`http://127.0.0.1:${issuerPort}`, 'guichet-api');
  const issuerServer = await issuer.listen(issuerPort);
  o.stops.push({ name: 'inbox token issuer', stop: () => close(issuerServer) });
  const token = await issuer.sign({ role: 'chancellery', sub: 'bench-staff' });

  // One database and one API per size, measured in turn request by request: both sizes see
  // the same warm-up, the same machine load and the same JIT state.
  const apis = new Map<number, { get: ReturnType<typeof httpGetter>['get']; deepCursor: string | null }>();
  for (const size of INBOX_SIZES) {
    o.log(`5/6 inbox: a database with ${size} open tasks …`);
    const http = await inboxApi(o, issuer, size);
    // The cursor of the page half-way down, reached as a reviewer would: page after page.
    let cursor: string | null = null;
    for (let seen = 0; seen < size / 2; seen += 100) {
      const page = JSON.parse((await http.get(`/v1/tasks?limit=100${cursor ? `&cursor=${cursor}` : ''}`, token)).body) as { nextCursor: string | null };
      cursor = page.nextCursor;
    }
    apis.set(size, { get: http.get, deepCursor: cursor });
  }

  o.log(`5/6 inbox: ${o.iterations} requests per query and size, interleaved …`);
  const latencies = new Map<string, Map<number, number[]>>(QUERIES.map((q) => [q.name, new Map(INBOX_SIZES.map((n) => [n, []]))]));
  const WARMUP = 50;
  for (let i = -WARMUP; i < o.iterations; i++) {
    for (const q of QUERIES) {
      for (const size of i % 2 ? [...INBOX_SIZES].reverse() : INBOX_SIZES) {
        const api = apis.get(size)!;
        const path = `/v1/tasks?${q.query}${'deep' in q && api.deepCursor ? `&cursor=${api.deepCursor}` : ''}`;
        const t0 = performance.now();
        const res = await api.get(path, token);
        const ms = performance.now() - t0;
        if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}: ${res.body.slice(0, 300)}`);
        if (i >= 0) latencies.get(q.name)!.get(size)!.push(ms);
      }
    }
  }
  return { iterations: o.iterations, latencies };
}

/** A database of its own with `size` open tasks, and an API on it. */
async function inboxApi(o: { adminUrl: string; root: string; connection: Connection; stops: Stop[] }, issuer: LocalIssuer, size: number) {
  const name = `bench_inbox_${size}`;
  const admin = new pg.Client({ connectionString: o.adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name}`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(o.adminUrl);
  url.pathname = `/${name}`;
  await migrateDeploy(url.toString(), o.root);
  const db = createDb(url.toString());
  o.stops.push({ name: `inbox database client (${size})`, stop: () => db.$disconnect() });
  // Four kinds, a third claimed by the bench's reviewer, six communes, due every 7 minutes.
  await db.$executeRawUnsafe(`
    INSERT INTO task (id, kind, status, workflow_id, canton, commune, subject, claimed_by, due_at, created_at, reasons)
    SELECT 'bench-' || g, (ARRAY['review','formal-decision','authority-inquiry','terms-refusal'])[1 + g % 4], 'open', 'bench/' || g,
           CASE WHEN g % 5 = 0 THEN 'NE' ELSE 'JU' END,
           (ARRAY['Delémont','Porrentruy','Saignelégier','Courrendlin','Bassecourt','Alle'])[1 + g % 6],
           'bench', CASE WHEN g % 3 = 0 THEN 'bench-staff' END, now() + g * interval '7 minutes', now(), '{}'
    FROM generate_series(1, ${size}) g`);
  await db.$executeRawUnsafe('ANALYZE task');
  const app = createApp({
    client: new Client({ connection: o.connection }),
    connection: o.connection,
    db,
    verify: createVerifier({ issuer: issuer.issuer, audience: issuer.audience, jwksUrl: `${issuer.issuer}/.well-known/jwks.json` }),
    codec: new AesGcmCodec(new Map([['b', Buffer.alloc(32, 7)]]), 'b'),
    logger: createLogger({ name: 'bench-inbox', level: 'silent' }),
    namespace: 'default',
    taskQueue: 'bench-inbox',
    canton: 'JU',
    bodyLimit: '100kb',
    codecCorsOrigins: [],
    production: false,
  });
  const port = await freePort();
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(port, '127.0.0.1', () => resolve(s));
  });
  o.stops.push({ name: `inbox API (${size})`, stop: () => close(server) });
  const http = httpGetter(`http://127.0.0.1:${port}`);
  o.stops.push({ name: `inbox HTTP client (${size})`, stop: async () => http.close() });
  return http;
}

export function inboxReport(r: InboxResult): string[] {
  const [small, large] = INBOX_SIZES;
  const p = (q: string, size: number, pct: number) => percentile(r.latencies.get(q)!.get(size)!, pct);
  return [
    `5. Inbox API — GET /v1/tasks (25 per page) over HTTP, one keep-alive connection per size, ${r.iterations} requests per query and size after 50 warm-up, the two sizes interleaved; ${small} vs ${large.toLocaleString('en')} open tasks`,
    table([
      ['', `p50 at ${small}`, `p99 at ${small}`, `p50 at ${large.toLocaleString('en')}`, `p99 at ${large.toLocaleString('en')}`, 'ratio p50', 'ratio p99'],
      ...[...r.latencies.keys()].map((q) => [
        q,
        fmtMs(p(q, small, 50)),
        fmtMs(p(q, small, 99)),
        fmtMs(p(q, large, 50)),
        fmtMs(p(q, large, 99)),
        fmtRatio(p(q, large, 50) / p(q, small, 50)),
        fmtRatio(p(q, large, 99) / p(q, small, 99)),
      ]),
    ]),
    '   goal: ratio ≤ 1.5 (a flat cost: keyset pagination on (due date, id) over one index per filter)',
  ];
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
