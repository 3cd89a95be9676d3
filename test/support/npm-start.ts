// `npm start` for a test file: its own ports and data directory, nothing inherited that would
// point it at another system; started until it says it runs, stopped with Ctrl-C.
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { freePortOutsideEphemeralRange } from '../../scripts/lib/ports';
import { logFile } from './pii-scan';

const root = join(__dirname, '..', '..');

/** `viaNpm`: through npm itself (`npm start`: npm, then `sh -c`, then the script), as a user runs it. */
/** `args`: the script's own (`--cluster` for `npm run start:cluster`). */
export async function startNpm(
  env: NodeJS.ProcessEnv,
  opts: { viaNpm?: boolean; args?: string[] } = {},
): Promise<{ proc: ChildProcess; output: () => string }> {
  const proc = opts.viaNpm
    ? spawn(join(dirname(process.execPath), 'npm'), ['start'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts', ...(opts.args ?? [])], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  // Also into the run's log directory, which global-teardown searches for personal data.
  const logTo = logFile('npm-start');
  const capture = (c: Buffer) => {
    out += c.toString();
    if (logTo) appendFileSync(logTo, c);
  };
  proc.stdout!.on('data', capture);
  proc.stderr!.on('data', capture);
  const deadline = Date.now() + 150_000;
  while (!out.includes('Guichet engine is running')) {
    if (proc.exitCode !== null) throw new Error(`npm start exited early:\n${out}`);
    if (Date.now() > deadline) throw new Error(`npm start not up in time:\n${out}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return { proc, output: () => out };
}

export async function stopNpm(proc: ChildProcess): Promise<number | null> {
  if (proc.exitCode !== null) return proc.exitCode;
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  proc.kill('SIGINT');
  return exited;
}

/** After a failure: an orderly stop (its children live in their own process groups), else a kill. */
export async function stopNpmAnyway(proc: ChildProcess): Promise<void> {
  if (proc.exitCode === null) await Promise.race([stopNpm(proc), new Promise((r) => setTimeout(r, 30_000))]);
  if (proc.exitCode === null) proc.kill('SIGKILL');
}

/** The environment of an `npm start` of its own: free ports, `dataDir`, `extra` on top. */
export async function npmStartEnv(dataDir: string, extra: Record<string, string> = {}): Promise<NodeJS.ProcessEnv> {
  const ports = {
    PORT: 0,
    ISSUER_PORT: 0,
    TEMPORAL_PORT: 0,
    TEMPORAL_UI_PORT: 0,
    POSTGRES_PORT: 0,
    SMTP_PORT: 0,
    MAIL_WEB_PORT: 0,
    REGISTER_PORT: 0,
    POSTAL_PORT: 0,
    EID_VERIFIER_PORT: 0,
    EID_ISSUER_PORT: 0,
    QCA_PORT: 0,
    COMMERCIAL_REGISTER_PORT: 0,
    SMS_PORT: 0,
    PAYMENTS_PORT: 0,
    UNIT_SYSTEMS_PORT: 0,
  };
  // `npm start` binds them seconds later: outside the ephemeral range, where another suite's
  // listen(0) or an outgoing connection could take one meanwhile (seen: the mail catcher's
  // EADDRINUSE), and in a band of this jest worker's own, where no concurrent suite picks
  // (the JVM test servers pick in 20000-30000, the production server in 30100-32700); above
  // 10080, the last port fetch() refuses to reach.
  const band = 2000;
  const from = 12_000 + ((Number(process.env.JEST_WORKER_ID ?? 1) - 1) % 4) * band;
  // Distinct: two calls may hand out the same port once the first is released.
  const taken = new Set<number>();
  for (const k of Object.keys(ports) as Array<keyof typeof ports>) {
    let port = await freePortOutsideEphemeralRange(from, from + band);
    while (taken.has(port)) port = await freePortOutsideEphemeralRange(from, from + band);
    taken.add(port);
    ports[k] = port;
  }
  const inherited = { ...process.env };
  for (const k of [
    'DATABASE_URL',
    'TEMPORAL_ADDRESS',
    'SMTP_URL',
    'AUTH_ISSUER',
    'AUTH_JWKS_URL',
    'PAYLOAD_KEYS',
    'PAYLOAD_ACTIVE_KEY_ID',
    'RESIDENT_REGISTER_URL',
    'PROTECTION_REGISTER_URL',
    'POSTAL_GATEWAY_URL',
    'EID_VERIFIER_URL',
    'QES_TRUSTED_CA_FILES',
    'COMMERCIAL_REGISTER_URL',
    'SMS_GATEWAY_URL',
    'CANTON',
    'RULE_SET',
  ])
    delete inherited[k];
  return { ...inherited, DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])), ...extra };
}
