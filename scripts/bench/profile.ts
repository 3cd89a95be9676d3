// CPU profiles of this process (API + worker + clients) during a phase of the bench, with
// node's inspector (the same profiles as `node --cpu-prof`), and where their time goes:
// self time by package and by function. BENCH_CPU_PROFILE=<dir> keeps the .cpuprofile files
// (open them in Chrome's DevTools, Performance tab).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Session } from 'node:inspector/promises';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface ProfileSummary {
  totalMs: number;
  byPackage: Array<[string, number]>;
  byFunction: Array<[string, number]>;
}

/** Runs `phase` under the sampling profiler; its result, and the profile summarised. */
export async function profiled<T>(name: string, phase: () => Promise<T>): Promise<{ result: T; summary: ProfileSummary | null }> {
  // The profiler costs CPU of its own: only when asked for, so the figures stay clean.
  if (!process.env.BENCH_CPU_PROFILE) return { result: await phase(), summary: null };
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 500 });
  await session.post('Profiler.start');
  const stop = async () => {
    const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: Profile };
    session.disconnect();
    return profile;
  };
  let result: T;
  try {
    result = await phase();
  } catch (err) {
    await stop();
    throw err;
  }
  const profile = await stop();
  const dir = process.env.BENCH_CPU_PROFILE;
  if (dir !== '1') writeFileSync(join(dir, `${name.replace(/[^a-z0-9-]+/gi, '-')}.cpuprofile`), JSON.stringify(profile));
  return { result, summary: summarise(profile) };
}

/** The package (or part of this project) a script URL belongs to. */
export function packageOf(url: string): string {
  if (!url) return '(native, GC, idle)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (url.startsWith('node:')) return 'node';
  const m = /\/(api|app|activities|infra|domain|records|workflows|worker|scripts|test|fakes)\//.exec(url);
  return m ? `guichet ${m[1]}/` : url.startsWith('file://') || url.startsWith('/') ? 'guichet (other)' : url;
}

export function summarise(profile: Profile): ProfileSummary {
  const byNode = new Map<number, ProfileNode>(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) self.set(samples[i]!, (self.get(samples[i]!) ?? 0) + (deltas[i] ?? 0) / 1000);
  const pkg = new Map<string, number>();
  const fn = new Map<string, number>();
  let totalMs = 0;
  for (const [id, ms] of self) {
    const n = byNode.get(id)!;
    const name = n.callFrame.functionName;
    if (name === '(idle)' || name === '(program)') continue;
    totalMs += ms;
    const p = name === '(garbage collector)' ? '(garbage collector)' : packageOf(n.callFrame.url);
    pkg.set(p, (pkg.get(p) ?? 0) + ms);
    const key = `${name || '(anonymous)'} ${n.callFrame.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/(?=[a-z-]+\/)/, '')}:${n.callFrame.lineNumber + 1}`;
    fn.set(key, (fn.get(key) ?? 0) + ms);
  }
  const top = (m: Map<string, number>, n: number) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n);
  return { totalMs, byPackage: top(pkg, 25), byFunction: top(fn, 40) };
}
