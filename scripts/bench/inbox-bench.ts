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
import { httpGetter, runHttp } from './api-bench';
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

export async function benchInbox(o: { adminUrl: string; root: string; connection: Connection; iterations: number; log: (m: string) => void; stops: Stop[] }): Promise<InboxResult> {
  // A database of its own: the other sections' rows stay out of the inbox.
  const admin = new pg.Client({ connectionString: o.adminUrl });
  await admin.connect();
  await admin.query('DROP DATABASE IF EXISTS bench_inbox');
  await admin.query('CREATE DATABASE bench_inbox');
  await admin.end();
  const url = new URL(o.adminUrl);
  url.pathname = '/bench_inbox';
  await migrateDeploy(url.toString(), o.root);
  const db = createDb(url.toString());
  o.stops.push({ name: 'inbox database client', stop: () => db.$disconnect() });

  const issuerPort = await freePort();
  const issuer = await LocalIssuer.create(`http://127.0.0.1:${issuerPort}`, 'guichet-api');
  const issuerServer = await issuer.listen(issuerPort);
  o.stops.push({ name: 'inbox token issuer', stop: () => close(issuerServer) });
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
  o.stops.push({ name: 'inbox API', stop: () => close(server) });
  const http = httpGetter(`http://127.0.0.1:${port}`);
  o.stops.push({ name: 'inbox HTTP client', stop: async () => http.close() });
  const token = await issuer.sign({ role: 'chancellery', sub: 'bench-staff' });

  const latencies = new Map<string, Map<number, number[]>>(QUERIES.map((q) => [q.name, new Map()]));
  for (const size of INBOX_SIZES) {
    o.log(`5/5 inbox: ${size} open tasks …`);
    // Four kinds, a third claimed by the bench's reviewer, six communes, due every 7 minutes.
    await db.$executeRawUnsafe('DELETE FROM task');
    await db.$executeRawUnsafe(`
      INSERT INTO task (id, kind, status, workflow_id, canton, commune, subject, claimed_by, due_at, created_at, reasons)
      SELECT 'bench-' || g, (ARRAY['review','formal-decision','authority-inquiry','terms-refusal'])[1 + g % 4], 'open', 'bench/' || g,
             CASE WHEN g % 5 = 0 THEN 'NE' ELSE 'JU' END,
             (ARRAY['Delémont','Porrentruy','Saignelégier','Courrendlin','Bassecourt','Alle'])[1 + g % 6],
             'bench', CASE WHEN g % 3 = 0 THEN 'bench-staff' END, now() + g * interval '7 minutes', now(), '{}'
      FROM generate_series(1, ${size}) g`);
    await db.$executeRawUnsafe('ANALYZE task');

    // The cursor of the page half-way down, reached as a reviewer would: page after page.
    let cursor: string | null = null;
    for (let seen = 0; seen < size / 2; seen += 100) {
      const page = JSON.parse((await http.get(`/v1/tasks?limit=100${cursor ? `&cursor=${cursor}` : ''}`, token)).body) as { nextCursor: string | null };
      cursor = page.nextCursor;
    }
    const measured = await runHttp(
      http.get,
      QUERIES.map((q) => ({ name: q.name, path: `/v1/tasks?${q.query}${'deep' in q && cursor ? `&cursor=${cursor}` : ''}`, token, every: 1 })),
      o.iterations,
      50,
    );
    for (const q of QUERIES) latencies.get(q.name)!.set(size, measured.get(q.name)!);
  }
  return { iterations: o.iterations, latencies };
}

export function inboxReport(r: InboxResult): string[] {
  const [small, large] = INBOX_SIZES;
  const p = (q: string, size: number, pct: number) => percentile(r.latencies.get(q)!.get(size)!, pct);
  return [
    `5. Inbox API — GET /v1/tasks (25 per page) over HTTP, one keep-alive connection, ${r.iterations} requests per query and size after 50 warm-up; ${small} vs ${large.toLocaleString('en')} open tasks`,
    table([
      ['', `p50 at ${small}`, `p99 at ${small}`, `p50 at ${large.toLocaleString('en')}`, `p99 at ${large.toLocaleString('en')}`, 'ratio p50', 'ratio p99'],
      ...[...r.latencies.keys()].map((q) => [q, fmtMs(p(q, small, 50)), fmtMs(p(q, small, 99)), fmtMs(p(q, large, 50)), fmtMs(p(q, large, 99)), fmtRatio(p(q, large, 50) / p(q, small, 50)), fmtRatio(p(q, large, 99) / p(q, small, 99))]),
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
