// Prisma CLI configuration (generate, migrate). Prisma 6.19 runs offline here only through
// its WebAssembly schema engine ("js" engine) and the pg driver adapter: the native engine
// would be downloaded from a vendor host that these machines cannot reach.
// Five upstream problems need the small workarounds below; each was checked to be needed.
import { defineConfig } from 'prisma/config';
import { PrismaPg } from '@prisma/adapter-pg';
import { DriverAdapterError } from '@prisma/driver-adapter-utils';
import pg from 'pg';

// Workaround 4a: the WASM engine arms long timers that keep the CLI alive 10-60 s after it
// has finished. Timers of 5 s or more do not hold the process open.
const originalSetTimeout = globalThis.setTimeout;
globalThis.setTimeout = ((handler: (...args: unknown[]) => void, delay?: number, ...args: unknown[]) => {
  const timer = originalSetTimeout(handler, delay, ...args);
  if ((delay ?? 0) >= 5000) timer.unref();
  return timer;
}) as typeof setTimeout;

// Workaround 1: adapter-pg 6.19 cannot deserialize the catalog's `name` (OID 19) and
// `"char"` (OID 18) columns that migrate's introspection reads; pg.types.setTypeParser does
// not help. Reporting those fields as text (OID 25) does.
const CATALOG_TEXT_OIDS = new Set([18, 19]);
function asText(result: unknown): unknown {
  for (const r of Array.isArray(result) ? result : [result]) {
    for (const field of (r as pg.QueryResult | undefined)?.fields ?? []) {
      if (CATALOG_TEXT_OIDS.has(field.dataTypeID)) field.dataTypeID = 25;
    }
  }
  return result;
}
class CatalogAsTextClient extends pg.Client {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override query(...args: any[]): any {
    const last = args[args.length - 1];
    if (typeof last === 'function') {
      args[args.length - 1] = (err: Error | null, res: unknown) => last(err, err ? res : asText(res));
      return (super.query as (...a: unknown[]) => unknown)(...args);
    }
    const out = (super.query as (...a: unknown[]) => unknown)(...args);
    return out instanceof Promise ? out.then(asText) : out;
  }
}

// Workaround 3: adapter-pg drops the shadow database before ending its pool ("being accessed
// by other users", and a database left behind). End the pool first.
class ShadowSafePrismaPg extends PrismaPg {
  constructor(private readonly poolConfig: pg.PoolConfig) {
    super(poolConfig);
  }
  // Workaround 5: adapter-pg 6.19 runs a migration script split on every ";", which breaks
  // dollar-quoted function bodies (our audit-log trigger). PostgreSQL's simple query
  // protocol runs a whole script at once, as the native engine does.
  override async connect() {
    const adapter = await super.connect();
    adapter.executeScript = async (script: string) => {
      try {
        await adapter.underlyingDriver().query(script);
      } catch (error) {
        throw new DriverAdapterError({
          kind: 'postgres',
          code: (error as { code?: string }).code ?? 'unknown',
          severity: 'ERROR',
          message: (error as Error).message,
          detail: undefined,
          column: undefined,
          hint: undefined,
        });
      }
    };
    return adapter;
  }

  override async connectToShadowDb() {
    const admin = await this.connect();
    const database = `prisma_migrate_shadow_db_${globalThis.crypto.randomUUID().replace(/-/g, '')}`;
    await admin.executeScript(`CREATE DATABASE "${database}"`);
    const shadow = await new ShadowSafePrismaPg({ ...this.poolConfig, database }).connect();
    const dispose = shadow.dispose.bind(shadow);
    shadow.dispose = async () => {
      await dispose();
      await admin.executeScript(`DROP DATABASE IF EXISTS "${database}"`);
      await admin.dispose();
    };
    return shadow;
  }
}

// Workaround 2: given a connectionString, pg lets it override `database`, so the "shadow"
// database would be the real one (P3006 on the second `migrate dev`). Pass discrete fields.
function poolConfigFromUrl(url: string): pg.PoolConfig {
  const u = new URL(url);
  return {
    host: decodeURIComponent(u.hostname),
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database: decodeURIComponent(u.pathname.slice(1)),
    Client: CatalogAsTextClient,
    allowExitOnIdle: true, // Workaround 4b: do not keep the CLI alive on idle connections.
  };
}

// `generate` reads the schema's env("DATABASE_URL") but never connects: it needs a value,
// not a database. The migrate commands connect through the adapter below, which insists on
// the real setting.
const databaseUrl = process.env.DATABASE_URL;
process.env.DATABASE_URL ??= 'postgresql://unset@127.0.0.1:5432/unset';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  experimental: { adapter: true },
  engine: 'js',
  async adapter() {
    const url = databaseUrl;
    if (!url) throw new Error('DATABASE_URL is not set: the Prisma CLI needs the database to migrate');
    return new ShadowSafePrismaPg(poolConfigFromUrl(url));
  },
});
