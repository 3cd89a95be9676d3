// Where the CPU goes during a phase: this process (worker, clients, API), the Temporal dev
// server, and the rest of the machine (PostgreSQL, everything else). Linux: the dev server's
// share is read from /proc; elsewhere it is counted in the rest.
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';

export interface CpuSnapshot {
  selfMs: number;
  serverMs: number;
  machineMs: number;
}

const CLK_TCK = 100; // USER_HZ on Linux

function procCpuMs(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[11], fields[12]: utime, stime (the 14th and 15th of the whole line)
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
  } catch {
    return 0;
  }
}

export function cpuSnapshot(serverPid: number | undefined): CpuSnapshot {
  const u = process.cpuUsage();
  const machineMs = cpus().reduce((s, c) => s + c.times.user + c.times.nice + c.times.sys + c.times.irq, 0);
  return { selfMs: (u.user + u.system) / 1000, serverMs: procCpuMs(serverPid), machineMs };
}

export function cpuDelta(a: CpuSnapshot, b: CpuSnapshot): CpuSnapshot {
  return { selfMs: b.selfMs - a.selfMs, serverMs: b.serverMs - a.serverMs, machineMs: b.machineMs - a.machineMs };
}

export function cpuSum(xs: CpuSnapshot[]): CpuSnapshot {
  return xs.reduce((s, x) => ({ selfMs: s.selfMs + x.selfMs, serverMs: s.serverMs + x.serverMs, machineMs: s.machineMs + x.machineMs }), {
    selfMs: 0,
    serverMs: 0,
    machineMs: 0,
  });
}

/**
 * This process's CPU by kind of thread (Linux; empty elsewhere). Node names most of its threads
 * "node": the main thread is the one whose id is the process's; the "node" threads created
 * after the Temporal core's first (tokio) thread are the SDK's workflow threads (worker_threads
 * running the workflow bundles); those created before it, V8's platform (garbage collection,
 * compilation) and libuv's pool.
 */
export function threadCpuMs(): Record<string, number> {
  const out: Record<string, number> = {};
  let tids: number[];
  try {
    tids = readdirSync('/proc/self/task')
      .map(Number)
      .sort((a, b) => a - b);
  } catch {
    return out;
  }
  const rows: Array<{ tid: number; comm: string; ms: number }> = [];
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      rows.push({ tid, comm, ms: ((Number(f[11]) + Number(f[12])) * 1000) / CLK_TCK });
    } catch {
      // gone meanwhile
    }
  }
  const firstCore = rows.find((r) => r.comm.startsWith('tokio'))?.tid ?? Infinity;
  for (const r of rows) {
    const kind =
      r.tid === process.pid
        ? 'main thread (API, activities, clients, SDK glue)'
        : r.comm.startsWith('tokio') || r.comm.startsWith('temporal') || r.comm.startsWith('workflow-proces')
          ? 'Temporal core (Rust)'
          : r.comm === 'node' && r.tid > firstCore
            ? 'workflow threads'
            : 'V8 platform, libuv pool';
    out[kind] = (out[kind] ?? 0) + r.ms;
  }
  return out;
}

export function threadDelta(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(b).map(([k, v]) => [k, v - (a[k] ?? 0)]));
}

export function threadSum(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = (out[k] ?? 0) + v;
  return out;
}
