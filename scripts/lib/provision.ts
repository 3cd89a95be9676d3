// Provisioning of the servers the project runs on, from the package registries this
// project can reach: pinned, cached outside the clone (a fresh clone reuses them),
// idempotent, safe when several processes ask at once, and talkative while it takes minutes.
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

export const TEMPORAL_CLI_VERSION = 'v1.5.1'; // Server 1.29.1, UI 2.42.1 (newer CLIs cannot be built from the proxy)
export const TEST_SERVER_VERSION = '1.38.0'; // io.temporal:temporal-test-server (time-skipping)

export function cacheDir(): string {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'guichet-engine');
}

export type Log = (message: string) => void;
const defaultLog: Log = (m) => process.stderr.write(`[provision] ${m}\n`);

export function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, log: Log, cwd?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const keep = (chunk: Buffer) => {
      tail = (tail + chunk.toString()).slice(-4000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const started = Date.now();
    const ticker = setInterval(() => log(`  … still running ${cmd} (${Math.round((Date.now() - started) / 1000)} s)`), 20000);
    child.on('error', (err) => {
      clearInterval(ticker);
      reject(new Error(`${cmd} could not start: ${err.message}`));
    });
    child.on('close', (code) => {
      clearInterval(ticker);
      if (code === 0) resolve();
      else reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}:\n${tail}`));
    });
  });
}

/** Whether the process that holds the lock is gone (its pid file written and no such process). */
function lockHolderGone(lock: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(join(lock, 'pid'), 'utf8'));
  } catch {
    return false; // just made, its pid not written yet
  }
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** A lock made of a directory: mkdir is atomic. Waits for another process's install. */
export async function withLock<T>(name: string, log: Log, fn: () => Promise<T>): Promise<T> {
  const lock = join(cacheDir(), `${name}.lock`);
  mkdirSync(cacheDir(), { recursive: true });
  const deadline = Date.now() + 20 * 60_000;
  let announced = false;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      break;
    } catch {
      // A lock left by an install that was killed (its process is gone) is taken over.
      if (lockHolderGone(lock)) {
        log(`an earlier install of ${name} was interrupted; starting it again`);
        rmSync(lock, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`gave up waiting for ${lock}; remove it if no install is running`);
      if (!announced) log(`waiting for another process installing ${name} …`);
      announced = true;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** The Temporal CLI (dev server with Web UI), built from the Go module proxy. */
export async function ensureTemporalCli(log: Log = defaultLog): Promise<string> {
  const dir = join(cacheDir(), `temporal-cli-${TEMPORAL_CLI_VERSION}`);
  const bin = join(dir, 'temporal');
  if (existsSync(bin)) return bin;
  return withLock('temporal-cli', log, async () => {
    if (existsSync(bin)) return bin;
    log(`building the Temporal CLI ${TEMPORAL_CLI_VERSION} with Go (first time only: 3-10 min, ~3 GB of Go caches) …`);
    const staging = `${dir}.partial`;
    rmSync(staging, { recursive: true, force: true });
    await run(
      'go',
      ['install', `github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_VERSION}`],
      { ...process.env, GOBIN: staging, GOFLAGS: '-mod=mod' },
      log,
    );
    renameSync(staging, dir);
    log(`Temporal CLI ready: ${bin}`);
    return bin;
  });
}

/** The Java time-skipping test server, resolved from Maven Central, behind a wrapper script. */
export async function ensureTestServer(log: Log = defaultLog): Promise<string> {
  const dir = join(cacheDir(), `temporal-test-server-${TEST_SERVER_VERSION}`);
  const bin = join(dir, 'temporal-test-server');
  if (existsSync(bin)) return bin;
  return withLock('temporal-test-server', log, async () => {
    if (existsSync(bin)) return bin;
    log(`resolving the Temporal time-skipping test server ${TEST_SERVER_VERSION} with Maven (first time only: ~10 s) …`);
    const staging = `${dir}.partial`;
    rmSync(staging, { recursive: true, force: true });
    const pomDir = mkdtempSync(join(tmpdir(), 'guichet-pom-'));
    writeFileSync(
      join(pomDir, 'pom.xml'),
      `<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
<groupId>local.guichet</groupId><artifactId>test-server</artifactId><version>1</version>
<dependencies><dependency><groupId>io.temporal</groupId><artifactId>temporal-test-server</artifactId>
<version>${TEST_SERVER_VERSION}</version></dependency></dependencies></project>\n`,
    );
    try {
      await run('mvn', ['-q', '-B', 'dependency:copy-dependencies', `-DoutputDirectory=${join(staging, 'lib')}`], process.env, log, pomDir);
    } finally {
      rmSync(pomDir, { recursive: true, force: true });
    }
    writeFileSync(join(staging, 'temporal-test-server'), `#!/bin/sh\nexec java -cp '${join(dir, 'lib')}/*' io.temporal.testserver.TestServer "$@"\n`);
    chmodSync(join(staging, 'temporal-test-server'), 0o755);
    renameSync(staging, dir);
    log(`test server ready: ${bin}`);
    return bin;
  });
}

/** Debian's Chromium for the browser tests (never a test tool's own browser download). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function ensureChromium(log: Log = defaultLog): Promise<string> {
  if (existsSync(CHROMIUM_PATH)) return CHROMIUM_PATH;
  return withLock('chromium', log, async () => {
    if (existsSync(CHROMIUM_PATH)) return CHROMIUM_PATH;
    if (process.getuid?.() !== 0)
      throw new Error(`no browser at ${CHROMIUM_PATH}: install Debian's chromium (sudo apt-get install -y chromium) or set CHROMIUM_PATH`);
    log("installing Debian's chromium for the browser tests (first time only: ~30 s) …");
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    await run('apt-get', ['update', '-q'], env, log);
    await run('apt-get', ['install', '-y', '-q', '--no-install-recommends', 'chromium'], env, log);
    if (!existsSync(CHROMIUM_PATH)) throw new Error(`apt-get installed chromium but ${CHROMIUM_PATH} is missing`);
    log(`chromium ready: ${CHROMIUM_PATH}`);
    return CHROMIUM_PATH;
  });
}
