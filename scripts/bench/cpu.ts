// Where the CPU goes during a phase: this process (worker, clients, API), the Temporal dev
// server, and the rest of the machine (PostgreSQL, everything else). Linux: the dev server's
// share is read from /proc; elsewhere it is counted in the rest.
import { readFileSync } from 'node:fs';
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
