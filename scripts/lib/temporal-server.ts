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
import { Connection } from '@temporalio/client';
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

function config(o: TemporalServerOptions, db: { main: string; visibility: string }, ports: number[]): string {
  const [historyGrpc, historyRing, matchingGrpc, matchingRing, workerGrpc, workerRing, frontendRing, frontendHttp, metrics] = ports as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const server = o.pki.files('temporal-server');
  const store = (name: string, conns: number) => `
    ${name}:
      sql:
        pluginName: postgres12_pgx
        databaseName: ${JSON.stringify(name === 'main' ? db.main : db.visibility)}
        connectAddr: ${JSON.stringify(`${o.postgres.host}:${o.postgres.port}`)}
        connectProtocol: tcp
        user: ${JSON.stringify(o.postgres.user)}
        password: ${JSON.stringify(o.postgres.password)}
        maxConns: ${conns}
        maxIdleConns: ${conns}
        maxConnLifetime: 1h`;
  const serverTls = `
        certFile: ${JSON.stringify(server.cert)}
        keyFile: ${JSON.stringify(server.key)}
        requireClientAuth: true
        clientCaFiles: [${JSON.stringify(o.pki.caFile)}]`;
  const clientTls = `
        serverName: ${JSON.stringify(o.pki.serverName)}
        rootCaFiles: [${JSON.stringify(o.pki.caFile)}]`;
  const svc = (grpc: number, ring: number, extra = '') => `
    rpc:
      grpcPort: ${grpc}
      membershipPort: ${ring}
      bindOnLocalHost: true${extra}`;
  return `# Written by scripts/lib/temporal-server.ts; every run writes it again.
log:
  stdout: true
  level: warn
  format: json
persistence:
  defaultStore: main
  visibilityStore: visibility
  numHistoryShards: ${o.shards ?? 4}
  datastores:${store('main', 20)}${store('visibility', 4)}
global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: 127.0.0.1
  metrics:
    prometheus:
      framework: tally
      timerType: histogram
      listenAddress: 127.0.0.1:${metrics}
  tls:
    internode:
      server:${serverTls}
      client:${clientTls}
    frontend:
      server:${serverTls}
      client:${clientTls}
    systemWorker:
      certFile: ${JSON.stringify(server.cert)}
      keyFile: ${JSON.stringify(server.key)}
      client:${clientTls}
services:
  frontend:${svc(o.frontendPort, frontendRing, `\n      httpPort: ${frontendHttp}`)}
  history:${svc(historyGrpc, historyRing)}
  matching:${svc(matchingGrpc, matchingRing)}
  worker:${svc(workerGrpc, workerRing)}
clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: active
  currentClusterName: active
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: frontend
      rpcAddress: 127.0.0.1:${o.frontendPort}
dcRedirectionPolicy:
  policy: noop
dynamicConfigClient:
  filepath: ${JSON.stringify(join(o.dir, 'config', 'dynamicconfig.yaml'))}
  pollInterval: 10s
`;
}

const DYNAMIC_CONFIG = `# Written by scripts/lib/temporal-server.ts.
limit.maxIDLength:
  - value: 255
system.forceSearchAttributesCacheRefreshOnRead:
  - value: true
# A namespace registered at the first start is usable within seconds, not the default 10 s.
system.namespaceCacheRefreshInterval:
  - value: 2s
`;

export async function startTemporalServer(o: TemporalServerOptions): Promise<RunningTemporalServer> {
  const log = o.log ?? defaultLog;
  const db = o.databases ?? { main: 'temporal', visibility: 'temporal_visibility' };
  await ensureDatabases(o, [db.main, db.visibility]);
  await migrate(o, db, log);
  const configDir = join(o.dir, 'config');
  mkdirSync(configDir, { recursive: true });
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
  writeFileSync(join(configDir, 'production.yaml'), config(o, db, ports), { mode: 0o600 });
  writeFileSync(join(configDir, 'dynamicconfig.yaml'), DYNAMIC_CONFIG);
  return launch(o, configDir, log);
}

async function launch(o: TemporalServerOptions, configDir: string, log: Log): Promise<RunningTemporalServer> {
  const logFile = join(o.dir, 'server.log');
  const out = openSync(logFile, 'a');
  const child = spawn(o.bin, ['start', '--config', configDir, '--env', 'production'], { stdio: ['ignore', out, out], detached: o.detached ?? false });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const address = `127.0.0.1:${o.frontendPort}`;
  const deadline = Date.now() + 90_000;
  const namespace = o.namespace ?? 'default';
  let registered = false;
  for (;;) {
    const early = await Promise.race([exited, new Promise((r) => setTimeout(() => r('wait'), 500))]);
    if (early !== 'wait') throw new Error(`the Temporal server exited (${String(early)}); see ${logFile}:\n${tail(logFile)}`);
    try {
      const conn = await Connection.connect({ address, tls: clientTls(o.pki, 'operator'), connectTimeout: 2000 });
      try {
        // Through the namespace cache, as every client's call goes.
        await conn.workflowService.listWorkflowExecutions({ namespace, pageSize: 1 });
        await ensureSearchAttributes(conn, namespace);
        break;
      } catch (err) {
        if ((err as { code?: number }).code !== NOT_FOUND) throw err;
        // A new database has no namespace: the operator registers it (the dev server makes its own).
        if (!registered) {
          try {
            await conn.workflowService.describeNamespace({ namespace });
          } catch (e) {
            if ((e as { code?: number }).code !== NOT_FOUND) throw e;
            await conn.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs(`${o.retentionDays ?? 30} days`) });
            log(`namespace ${namespace} registered (closed workflows kept ${o.retentionDays ?? 30} days)`);
          }
          registered = true;
        }
        throw err;
      } finally {
        await conn.close();
      }
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
    restart: () => launch(o, configDir, log),
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
