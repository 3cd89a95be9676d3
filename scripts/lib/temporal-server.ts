// The production Temporal server (deploy/temporal-server: go.temporal.io/server with the guichet's
// authorizer) on PostgreSQL, behind mTLS: built once with Go (pinned by its go.mod/go.sum, cached
// outside the clone by the hash of its sources), its schema set up or migrated by its own SQL
// tool, its configuration written from the options below.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { msToTs } from '@temporalio/common';
import { Connection, type TLSConfig } from '@temporalio/client';
import { cacheDir, run, withLock, type Log } from './provision';
import { freePortOutsideEphemeralRange } from './ports';
import type { ClusterPki } from './pki';
import { clientTls } from './pki-client';
import { ensureSearchAttributes } from '../../infra/namespace';

const SOURCE_DIR = resolve(__dirname, '../../deploy/temporal-server');
export const TEMPORAL_SERVER_VERSION = 'v1.29.1'; // go.temporal.io/server, the CLI's dev server's release

const defaultLog: Log = (m) => process.stderr.write(`[temporal-server] ${m}\n`);

/** The binary, built from deploy/temporal-server (first time only: ~2-6 min with Go's caches). */
export async function ensureTemporalServer(log: Log = defaultLog): Promise<string> {
  const hash = createHash('sha256');
  for (const f of readdirSync(SOURCE_DIR)
    .filter((f) => /\.(go|mod|sum)$/.test(f))
    .sort())
    hash.update(f).update(readFileSync(join(SOURCE_DIR, f)));
  const dir = join(cacheDir(), `guichet-temporal-${TEMPORAL_SERVER_VERSION}-${hash.digest('hex').slice(0, 12)}`);
  const bin = join(dir, 'guichet-temporal');
  if (existsSync(bin)) return bin;
  return withLock('guichet-temporal', log, async () => {
    if (existsSync(bin)) return bin;
    log(`building the Temporal server ${TEMPORAL_SERVER_VERSION} with the guichet's authorizer (first time only: 2-6 min) …`);
    const staging = `${dir}.partial`;
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true });
    await run('go', ['build', '-trimpath', '-o', join(staging, 'guichet-temporal'), '.'], { ...process.env, GOFLAGS: '-mod=readonly' }, log, SOURCE_DIR);
    renameSync(staging, dir);
    log(`Temporal server ready: ${bin}`);
    return bin;
  });
}

export interface TemporalServerOptions {
  bin: string;
  /** Its configuration and logs. */
  dir: string;
  pki: ClusterPki;
  /** The PostgreSQL server (an administrator: the databases are created when missing). */
  postgres: { host: string; port: number; user: string; password: string };
  /** Its two databases' names. */
  databases?: { main: string; visibility: string };
  /** The frontend's gRPC port (the other services take free ports of their own). */
  frontendPort: number;
  /** History shards: fixed for the life of the database. */
  shards?: number;
  /** The namespace registered on a new database, and how long it keeps closed workflows. */
  namespace?: string;
  retentionDays?: number;
  /** In its own process group (a terminal's Ctrl-C reaches the launcher only, which stops it last). */
  detached?: boolean;
  log?: Log;
}

const NOT_FOUND = 5;

export interface RunningTemporalServer {
  address: string;
  process: ChildProcess;
  /** Stops it (SIGTERM, then SIGKILL after 15 s); `kill` is a SIGKILL, as a crash would be. */
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** Starts it again on the same configuration and data. */
  restart(): Promise<RunningTemporalServer>;
  logFile: string;
}

async function ensureDatabases(o: TemporalServerOptions, names: string[]) {
  const client = new pg.Client({ ...o.postgres, database: 'postgres' });
  await client.connect();
  try {
    for (const name of names) {
      const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${name.replace(/"/g, '')}"`);
    }
  } finally {
    await client.end();
  }
}

/** Creates or migrates the schema of both databases (idempotent: the tool records its version). */
async function migrate(o: TemporalServerOptions, db: { main: string; visibility: string }, log: Log) {
  const conn = ['--plugin', 'postgres12_pgx', '--ep', o.postgres.host, '-p', String(o.postgres.port), '-u', o.postgres.user];
  const env = { ...process.env, SQL_PASSWORD: o.postgres.password }; // not in the arguments, which an error message shows
  const schemas: [string, string][] = [
    [db.main, 'postgresql/v12/temporal'],
    [db.visibility, 'postgresql/v12/visibility'],
  ];
  for (const [name, schema] of schemas) {
    const tool = [...conn, '--db', name];
    await run(o.bin, ['sql-tool', ...tool, 'setup-schema', '-v', '0.0'], env, log);
    await run(o.bin, ['sql-tool', ...tool, 'update-schema', '--schema-name', schema], env, log);
  }
}

/** Where the configuration template lives (deploy/temporal-server/config/production.yaml), shared with docker-compose.yml. */
export const SERVER_CONFIG_DIR = join(SOURCE_DIR, 'config');

/**
 * The variables the configuration template reads (deploy/temporal-server/config/production.yaml),
 * for this machine: loopback, the ports of `ports`, the development PKI's files.
 */
export function serverEnv(o: TemporalServerOptions, db: { main: string; visibility: string }, ports: number[]): Record<string, string> {
  const [historyGrpc, historyRing, matchingGrpc, matchingRing, workerGrpc, workerRing, frontendRing, frontendHttp, metrics] = ports.map(String) as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const server = o.pki.files('temporal-server');
  return {
    SQL_HOST: o.postgres.host,
    SQL_PORT: String(o.postgres.port),
    SQL_USER: o.postgres.user,
    SQL_PASSWORD: o.postgres.password,
    SQL_DATABASE: db.main,
    SQL_VISIBILITY_DATABASE: db.visibility,
    NUM_HISTORY_SHARDS: String(o.shards ?? 4),
    BIND_ON_IP: '127.0.0.1',
    BROADCAST_ADDRESS: '127.0.0.1',
    TLS_CA: o.pki.caFile,
    TLS_SERVER_CERT: server.cert,
    TLS_SERVER_KEY: server.key,
    TLS_SERVER_NAME: o.pki.serverName,
    FRONTEND_GRPC_PORT: String(o.frontendPort),
    FRONTEND_MEMBERSHIP_PORT: frontendRing,
    FRONTEND_HTTP_PORT: frontendHttp,
    HISTORY_GRPC_PORT: historyGrpc,
    HISTORY_MEMBERSHIP_PORT: historyRing,
    MATCHING_GRPC_PORT: matchingGrpc,
    MATCHING_MEMBERSHIP_PORT: matchingRing,
    WORKER_GRPC_PORT: workerGrpc,
    WORKER_MEMBERSHIP_PORT: workerRing,
    METRICS_PORT: metrics,
    DYNAMIC_CONFIG_FILE: join(SERVER_CONFIG_DIR, 'dynamicconfig.yaml'),
    TEMPORAL_LOG_LEVEL: 'warn',
  };
}

export async function startTemporalServer(o: TemporalServerOptions): Promise<RunningTemporalServer> {
  const log = o.log ?? defaultLog;
  const db = o.databases ?? { main: 'temporal', visibility: 'temporal_visibility' };
  await ensureDatabases(o, [db.main, db.visibility]);
  await migrate(o, db, log);
  mkdirSync(o.dir, { recursive: true });
  // The other services' ports: chosen once per directory, so a restart finds its ring again.
  const portsFile = join(o.dir, 'ports.json');
  let ports: number[] = existsSync(portsFile) ? (JSON.parse(readFileSync(portsFile, 'utf8')) as number[]) : [];
  if (ports.length !== 9) {
    ports = [];
    while (ports.length < 9) {
      const p = await freePortOutsideEphemeralRange(30_100, 32_700);
      if (!ports.includes(p) && p !== o.frontendPort) ports.push(p);
    }
    writeFileSync(portsFile, JSON.stringify(ports));
  }
  return launch(o, serverEnv(o, db, ports), log);
}

/**
 * One try, as the operator: the namespace usable through the namespace cache (as every client's
 * call goes) and the search attributes registered; a new database's namespace is registered
 * first (the dev server makes its own). Throws until it is ready.
 * `npm run start:cluster` and the tests call it through startTemporalServer, docker-compose.yml's
 * `temporal-setup` one-shot through scripts/temporal-setup.ts.
 */
export async function setUpNamespace(o: { address: string; tls: TLSConfig; namespace: string; retentionDays?: number; log: Log }): Promise<void> {
  const conn = await Connection.connect({ address: o.address, tls: o.tls, connectTimeout: 2000 });
  try {
    await conn.workflowService.listWorkflowExecutions({ namespace: o.namespace, pageSize: 1 });
    await ensureSearchAttributes(conn, o.namespace);
  } catch (err) {
    if ((err as { code?: number }).code !== NOT_FOUND) throw err;
    try {
      await conn.workflowService.describeNamespace({ namespace: o.namespace });
    } catch (e) {
      if ((e as { code?: number }).code !== NOT_FOUND) throw e;
      await conn.workflowService.registerNamespace({ namespace: o.namespace, workflowExecutionRetentionPeriod: msToTs(`${o.retentionDays ?? 30} days`) });
      o.log(`namespace ${o.namespace} registered (closed workflows kept ${o.retentionDays ?? 30} days)`);
    }
    throw err;
  } finally {
    await conn.close();
  }
}

async function launch(o: TemporalServerOptions, env: Record<string, string>, log: Log): Promise<RunningTemporalServer> {
  const logFile = join(o.dir, 'server.log');
  const out = openSync(logFile, 'a');
  // The configuration is the template docker-compose.yml mounts too, rendered by the server from these variables.
  const child = spawn(o.bin, ['start', '--config', SERVER_CONFIG_DIR, '--env', 'production'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', out, out],
    detached: o.detached ?? false,
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const address = `127.0.0.1:${o.frontendPort}`;
  const deadline = Date.now() + 90_000;
  const namespace = o.namespace ?? 'default';
  for (;;) {
    const early = await Promise.race([exited, new Promise((r) => setTimeout(() => r('wait'), 500))]);
    if (early !== 'wait') throw new Error(`the Temporal server exited (${String(early)}); see ${logFile}:\n${tail(logFile)}`);
    try {
      await setUpNamespace({ address, tls: clientTls(o.pki, 'operator'), namespace, retentionDays: o.retentionDays, log });
      break;
    } catch (err) {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`the Temporal server did not answer on ${address} within 90 s: ${(err as Error).message}\n${tail(logFile)}`);
      }
    }
  }
  log(`Temporal server on ${address} (mTLS), log ${logFile}`);
  const running: RunningTemporalServer = {
    address,
    process: child,
    logFile,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
    restart: () => launch(o, env, log),
  };
  return running;
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-30).join('\n');
  } catch {
    return '';
  }
}

export interface TemporalUiOptions {
  bin: string;
  dir: string;
  pki: ClusterPki;
  port: number;
  /** The frontend's gRPC address. */
  frontend: string;
  namespace?: string;
  /** The API's codec endpoint (`<api>/codec`): the browser sends it the operator's access token. */
  codecEndpoint: string;
  /** The identity provider where operators sign in (OIDC, a confidential client). */
  auth: { issuer: string; clientId: string; clientSecret: string };
  detached?: boolean;
}

/** The variables of the Web UI's template (deploy/temporal-server/config/ui.yaml), which docker-compose.yml mounts too. */
export function uiEnv(o: TemporalUiOptions): Record<string, string> {
  const op = o.pki.files('operator');
  return {
    UI_TEMPORAL_ADDRESS: o.frontend,
    UI_BIND_ON_IP: '127.0.0.1',
    UI_PORT: String(o.port),
    UI_PUBLIC_URL: `http://127.0.0.1:${o.port}`,
    UI_NAMESPACE: o.namespace ?? 'default',
    TLS_CA: o.pki.caFile,
    TLS_SERVER_NAME: o.pki.serverName,
    UI_TLS_CERT: op.cert,
    UI_TLS_KEY: op.key,
    UI_AUTH_ISSUER: o.auth.issuer,
    UI_AUTH_CLIENT_ID: o.auth.clientId,
    UI_AUTH_CLIENT_SECRET: o.auth.clientSecret,
    UI_CODEC_ENDPOINT: o.codecEndpoint,
    UI_COOKIE_INSECURE: 'true', // plain HTTP on loopback
  };
}

/**
 * The Web UI server (deploy/temporal-server/ui.go) in front of the frontend: operators sign in at
 * the identity provider; it calls the frontend with the operator's certificate, so what the UI
 * can do is what an operator may (read, repair). Its log goes to `dir`.
 */
export async function startTemporalUi(o: TemporalUiOptions): Promise<{ url: string; process: ChildProcess; stop(): Promise<void> }> {
  mkdirSync(o.dir, { recursive: true });
  const url = `http://127.0.0.1:${o.port}`;
  const env = uiEnv(o);
  const out = openSync(join(o.dir, 'ui.log'), 'a');
  const child = spawn(o.bin, ['ui', '--config', join(SERVER_CONFIG_DIR, 'ui.yaml')], {
    env: { ...process.env, ...env },
    stdio: ['ignore', out, out],
    detached: o.detached ?? false,
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`the Temporal Web UI exited (${child.exitCode}); see ${join(o.dir, 'ui.log')}:\n${tail(join(o.dir, 'ui.log'))}`);
    const ok = await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`the Temporal Web UI did not answer on ${url} within 30 s`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    process: child,
    async stop() {
      if (child.exitCode !== null || child.signalCode) return;
      child.kill('SIGTERM');
      await exited;
    },
  };
}
