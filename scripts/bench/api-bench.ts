// 3. The HTTP API: a request's status (JWT check, a database row, a workflow query) against
// the liveness probe, sequentially over one keep-alive connection, interleaved.
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';

export interface HttpTarget {
  name: string;
  path: string;
  token?: string;
  /** sampled once every `every` iterations (1 = each) */
  every: number;
}

export function httpGetter(baseUrl: string) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const url = new URL(baseUrl);
  const get = (path: string, token?: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        { agent, host: url.hostname, port: url.port, path, method: 'GET', headers: token ? { authorization: `Bearer ${token}` } : {} },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (body += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end();
    });
  return { get, close: () => agent.destroy() };
}

/** Latencies (ms) per target after `warmup` untimed iterations. */
export async function runHttp(
  get: ReturnType<typeof httpGetter>['get'],
  targets: Array<HttpTarget & { pathFor?: (i: number) => string }>,
  iterations: number,
  warmup: number,
): Promise<Map<string, number[]>> {
  const out = new Map<string, number[]>(targets.map((t) => [t.name, []]));
  for (let i = -warmup; i < iterations; i++) {
    for (const t of targets) {
      if (((i % t.every) + t.every) % t.every !== 0) continue;
      const path = t.pathFor ? t.pathFor(i + warmup) : t.path;
      const t0 = performance.now();
      const res = await get(path, t.token);
      const ms = performance.now() - t0;
      if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}: ${res.body.slice(0, 300)}`);
      if (i >= 0) out.get(t.name)!.push(ms);
    }
  }
  return out;
}
