// The parts of the cluster (`npm run start:cluster`, test/stack/cluster-faults.test.ts) that
// are not the Temporal server: the engine's processes under a supervisor that starts again the
// one that dies, as an orchestrator would, and one entry point in front of the API replicas
// (Debian's HAProxy, installed by the scripts).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { run, withLock, type Log } from './provision';

export const HAPROXY_PATH = process.env.HAPROXY_PATH ?? '/usr/sbin/haproxy';

/** Debian's HAProxy (2.6 on bookworm), installed once with apt as root. */
export async function ensureHaproxy(log: Log): Promise<string> {
  if (existsSync(HAPROXY_PATH)) return HAPROXY_PATH;
  return withLock('haproxy', log, async () => {
    if (existsSync(HAPROXY_PATH)) return HAPROXY_PATH;
    if (process.getuid?.() !== 0)
      throw new Error(`no load balancer at ${HAPROXY_PATH}: install Debian's haproxy (sudo apt-get install -y haproxy) or set HAPROXY_PATH`);
    log("installing Debian's haproxy for the cluster's entry point (first time only: ~10 s) …");
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    await run('apt-get', ['update', '-q'], env, log);
    await run('apt-get', ['install', '-y', '-q', '--no-install-recommends', 'haproxy'], env, log);
    if (!existsSync(HAPROXY_PATH)) throw new Error(`apt-get installed haproxy but ${HAPROXY_PATH} is missing`);
    return HAPROXY_PATH;
  });
}

export interface Supervised {
  name: string;
  /** The running process (a new one after each restart). */
  current(): ChildProcess;
  /** How many times it was started again after dying. */
  restarts(): number;
  /** Stops it for good (SIGTERM, SIGKILL after 15 s). */
  stop(): Promise<void>;
}

/**
 * A node process started again 1 s after it dies (exit or signal), until `stop`. Its output goes
 * to `logFile`, appended across restarts. `onStart` learns each pid (for the leftovers record).
 */
export function supervise(o: {
  name: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  logFile: string;
  log: Log;
  onStart?: (pid: number | undefined) => void;
}): Supervised {
  let proc: ChildProcess;
  let stopped = false;
  let restarts = 0;
  const out = openSync(o.logFile, 'a');
  const start = () => {
    // Own process group: a terminal's Ctrl-C reaches the launcher only, which stops the parts in order.
    proc = spawn(process.execPath, o.args, { cwd: o.cwd, env: o.env, stdio: ['ignore', out, out], detached: true });
    o.onStart?.(proc.pid);
    proc.once('exit', (code, signal) => {
      if (stopped) return;
      restarts++;
      o.log(`${o.name} died (${code ?? signal}); starting it again`);
      setTimeout(() => !stopped && start(), 1000).unref();
    });
  };
  start();
  return {
    name: o.name,
    current: () => proc,
    restarts: () => restarts,
    stop: () =>
      new Promise<void>((resolve) => {
        stopped = true;
        if (proc.exitCode !== null || proc.signalCode) return resolve();
        proc.once('exit', () => resolve());
        proc.kill('SIGTERM');
        setTimeout(() => proc.kill('SIGKILL'), 15_000).unref();
      }),
  };
}

/** The settings every entry point shares (docker-compose.yml's deploy/haproxy/haproxy.cfg has the same; test/unit/topology.test.ts). */
export const HAPROXY_DEFAULTS = [
  'mode http',
  'timeout connect 2s',
  'timeout client 60s',
  'timeout server 60s',
  'option redispatch',
  'retries 3',
  'retry-on conn-failure',
];
export const HAPROXY_BACKEND = ['balance roundrobin', 'option httpchk GET /readyz', 'http-check expect status 200', 'default-server inter 1s fall 2 rise 1'];

/** HAProxy's configuration: `bind` the entry point, `servers` the backend's server lines. */
export function haproxyConfig(bind: string, servers: string[]): string {
  const block = (lines: string[]) => lines.map((l) => `  ${l}`).join('\n');
  return `# Written by scripts/lib/cluster.ts; every start writes it again.
global
  maxconn 4096
defaults
${block(HAPROXY_DEFAULTS)}
frontend guichet
  bind ${bind}
  default_backend api
backend api
${block([...HAPROXY_BACKEND, ...servers])}
`;
}

export interface Balancer {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * HAProxy on 127.0.0.1:`port` in front of the API replicas: round robin over those whose
 * /readyz answers, a request whose connection failed sent to another replica (nothing reached
 * the dead one), the rest answered 502/503 for the client to retry with its Idempotency-Key.
 */
export async function startBalancer(o: { bin: string; dir: string; port: number; backends: number[]; log: Log }): Promise<Balancer> {
  mkdirSync(o.dir, { recursive: true });
  const cfg = join(o.dir, 'haproxy.cfg');
  writeFileSync(
    cfg,
    haproxyConfig(
      `127.0.0.1:${o.port}`,
      o.backends.map((p, i) => `server api${i + 1} 127.0.0.1:${p} check`),
    ),
  );
  const out = openSync(join(o.dir, 'haproxy.log'), 'a');
  const proc = spawn(o.bin, ['-db', '-f', cfg], { stdio: ['ignore', out, out], detached: true });
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const deadline = Date.now() + 20_000;
  while (!(await listening(o.port))) {
    if (proc.exitCode !== null) throw new Error(`haproxy exited (${proc.exitCode}); see ${join(o.dir, 'haproxy.log')}`);
    if (Date.now() > deadline) throw new Error(`haproxy did not listen on ${o.port} within 20 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url: `http://127.0.0.1:${o.port}`,
    process: proc,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode) return;
      proc.kill('SIGTERM');
      await exited;
    },
  };
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}
