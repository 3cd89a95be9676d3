// Time-skipping servers for the workflow suites, started ahead of need by the jest process
// that runs global-setup (it lives for the whole run) and handed out one per suite.
//
// Why: each suite used to start its own JVM through @temporalio/testing, which gives it a
// fixed 5 s to answer; on a loaded 2-core machine that failed whole suites. Here a server has
// a minute (scripts/lib/test-server.ts), and is usually up before a suite asks: while one
// suite runs, the next one's server starts.
//
// One server per suite, never shared and never reused: time skipping is global to a server
// (a suite's skip would move every other suite's clock), and a used server's clock is ahead
// of the wall clock, which the next suite's deadlines would be computed against.
//
// The suites reach the pool through a small HTTP endpoint on loopback (TEST_TIME_SKIPPING_POOL):
// jest may run them in worker processes. POST /claim answers with a ready server's address
// (waiting for one if none is ready yet); POST /release/<port> stops that server, after the
// suite's PII scan of it. Whatever is left at the end (spares, servers of a suite that died)
// is stopped by close(), from global-teardown; a process exit kills what is still running.
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTestServer, type RunningTestServer } from '../../scripts/lib/test-server';

export const POOL_ENV = 'TEST_TIME_SKIPPING_POOL';

export interface TimeSkippingPool {
  url: string;
  /** One line of figures for the run's log. */
  summary(): string;
  close(): Promise<void>;
}

interface Spare {
  server: Promise<RunningTestServer>;
  requestedMs: number;
}

export async function startTimeSkippingPool(o: { bin: string; spares: number; log?: (m: string) => void }): Promise<TimeSkippingPool> {
  const spares: Spare[] = [];
  const claimed = new Map<number, RunningTestServer>();
  const children = new Set<RunningTestServer['process']>();
  const figures = { claims: 0, startMs: [] as number[], waitMs: [] as number[], failures: 0 };
  let closing = false;

  const start = (): Spare => {
    const server = startTestServer({ bin: o.bin }).then((s) => {
      children.add(s.process);
      s.process.once('exit', () => children.delete(s.process));
      figures.startMs.push(s.startMs);
      if (closing) void s.stop();
      return s;
    });
    server.catch(() => figures.failures++); // seen by the claim that takes it, or by close()
    return { server, requestedMs: Date.now() };
  };
  const refill = () => {
    while (!closing && spares.length < o.spares) spares.push(start());
  };

  async function claim(): Promise<RunningTestServer> {
    const t0 = Date.now();
    const next = spares.shift() ?? start();
    refill();
    let server: RunningTestServer;
    try {
      server = await next.server;
      if (server.process.exitCode !== null || server.process.signalCode !== null)
        throw new Error(`the spare server on ${server.address} had exited:\n${server.output()}`);
    } catch (err) {
      o.log?.(`a spare time-skipping server failed, starting another: ${(err as Error).message.split('\n')[0]}`);
      server = await start().server;
    }
    figures.claims++;
    figures.waitMs.push(Date.now() - t0);
    claimed.set(server.port, server);
    return server;
  }

  const http = createServer((req: IncomingMessage, res: ServerResponse) => {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    req.resume();
    const release = /^\/release\/(\d+)$/.exec(req.url ?? '');
    if (req.method === 'POST' && req.url === '/claim') {
      claim().then(
        (s) => reply(200, { address: s.address, port: s.port, pid: s.pid }),
        (err: Error) => reply(500, { error: err.message }),
      );
    } else if (req.method === 'POST' && release) {
      const s = claimed.get(Number(release[1]));
      claimed.delete(Number(release[1]));
      (s ? s.stop() : Promise.resolve()).then(
        () => reply(200, {}),
        (err: Error) => reply(500, { error: err.message }),
      );
    } else reply(404, { error: 'not found' });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const killAll = () => {
    for (const c of children) c.kill('SIGKILL');
  };
  process.once('exit', killAll);
  refill();

  return {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    summary() {
      const range = (xs: number[]) => (xs.length ? `${(Math.min(...xs) / 1000).toFixed(1)}-${(Math.max(...xs) / 1000).toFixed(1)} s` : '-');
      return (
        `${figures.claims} suite(s) served by ${figures.startMs.length} server(s) started; JVM ready in ${range(figures.startMs)}, ` +
        `suites waited ${range(figures.waitMs)}${figures.failures ? `; ${figures.failures} start(s) failed` : ''}`
      );
    },
    async close() {
      closing = true;
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      const left = await Promise.allSettled(spares.splice(0).map((s) => s.server));
      await Promise.all([...left.flatMap((r) => (r.status === 'fulfilled' ? [r.value.stop()] : [])), ...[...claimed.values()].map((s) => s.stop())]);
      claimed.clear();
      killAll(); // anything still running (a server whose release never came)
      process.removeListener('exit', killAll);
    },
  };
}

function post(url: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => {
        try {
          const json = JSON.parse(body) as Record<string, unknown>;
          if (res.statusCode === 200) resolve(json);
          else reject(new Error(`time-skipping pool: ${String(json.error ?? res.statusCode)}`));
        } catch (err) {
          reject(err as Error);
        }
      });
    });
    req.on('error', reject);
    req.end();
  });
}

export interface ClaimedServer {
  address: string;
  release(): Promise<void>;
}

/**
 * A time-skipping server of this suite's own: from the run's pool (global-setup), or, outside
 * `npm test`, one started here (with the same minute to answer).
 */
export async function claimTimeSkippingServer(): Promise<ClaimedServer> {
  const pool = process.env[POOL_ENV];
  if (pool) {
    const { address, port } = (await post(`${pool}/claim`)) as { address: string; port: number };
    let released = false;
    return {
      address,
      async release() {
        if (released) return;
        released = true;
        await post(`${pool}/release/${port}`);
      },
    };
  }
  const bin = process.env.TEMPORAL_TEST_SERVER_PATH;
  if (!bin) throw new Error(`neither ${POOL_ENV} nor TEMPORAL_TEST_SERVER_PATH is set: run the stack tests through jest's global setup (npm test)`);
  const server = await startTestServer({ bin });
  return { address: server.address, release: () => server.stop() };
}
