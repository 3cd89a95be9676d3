// What one SQL statement costs the engine's process, by the way it is sent: Prisma's model API
// (its WebAssembly query compiler, then the driver adapter), Prisma's raw tagged templates
// (the adapter alone), and `pg` itself — the same statements, sequentially, on the bench's
// PostgreSQL, interleaved by round. CPU of this process per statement, and wall time.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import type { Db } from '../../infra/db';
import { writeAudit } from '../../records/audit';
import { fmtMs, fmtRatio, table } from './stats';

export interface StatementCost {
  name: string;
  way: 'Prisma model API' | 'Prisma raw' | 'pg';
  cpuMs: number;
  wallMs: number;
}

export async function benchStatements(db: Db, databaseUrl: string, n = 1000): Promise<StatementCost[]> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  const entry = { actorRole: 'system', actorSub: 'bench', action: 'bench.statement', recordType: 'bench', recordId: randomUUID() };
  const cases: Array<{ name: string; way: StatementCost['way']; run: (i: number) => Promise<unknown> }> = [
    { name: 'INSERT an audit row', way: 'Prisma model API', run: () => db.auditLog.create({ data: entry }) },
    { name: 'INSERT an audit row', way: 'Prisma raw', run: () => writeAudit(db, entry) },
    {
      name: 'INSERT an audit row',
      way: 'pg',
      run: () =>
        pool.query('INSERT INTO audit_log (at, actor_role, actor_sub, action, record_type, record_id) VALUES (clock_timestamp(), $1, $2, $3, $4, $5)', [
          entry.actorRole,
          entry.actorSub,
          entry.action,
          entry.recordType,
          entry.recordId,
        ]),
    },
    { name: 'SELECT a row by its key', way: 'Prisma model API', run: (i) => db.registeredUser.findUnique({ where: { id: `bench-${i}` } }) },
    { name: 'SELECT a row by its key', way: 'Prisma raw', run: (i) => db.$queryRaw`SELECT * FROM registered_user WHERE id = ${`bench-${i}`}` },
    { name: 'SELECT a row by its key', way: 'pg', run: (i) => pool.query('SELECT * FROM registered_user WHERE id = $1', [`bench-${i}`]) },
  ];
  const totals = cases.map(() => ({ cpu: 0, wall: 0, count: 0 }));
  try {
    for (const c of cases) for (let i = 0; i < 100; i++) await c.run(i); // warm-up
    const rounds = 4;
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 === 0 ? cases.map((_, i) => i) : cases.map((_, i) => cases.length - 1 - i);
      for (const k of order) {
        const c = cases[k]!;
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        for (let i = 0; i < n / rounds; i++) await c.run(i);
        const cpu = process.cpuUsage(c0);
        totals[k]!.wall += performance.now() - t0;
        totals[k]!.cpu += (cpu.user + cpu.system) / 1000;
        totals[k]!.count += n / rounds;
      }
    }
  } finally {
    await pool.end(); // the audit rows stay: the log is append-only, and the bench's database is its own
  }
  return cases.map((c, k) => ({ name: c.name, way: c.way, cpuMs: totals[k]!.cpu / totals[k]!.count, wallMs: totals[k]!.wall / totals[k]!.count }));
}

export function statementReport(costs: StatementCost[]): string[] {
  const rows = [['one statement, sequentially', 'CPU of this process', 'wall', 'CPU against pg']];
  for (const c of costs) {
    const base = costs.find((b) => b.name === c.name && b.way === 'pg')!;
    rows.push([`${c.name}: ${c.way}`, fmtMs(c.cpuMs), fmtMs(c.wallMs), fmtRatio(c.cpuMs / base.cpuMs)]);
  }
  return ['   What a statement costs by the way it is sent (the same statements, interleaved by round):', table(rows)];
}
