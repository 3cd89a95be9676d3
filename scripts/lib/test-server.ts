// The Java time-skipping test server (`io.temporal.testserver.TestServer <port>`, provisioned
// by ensureTestServer), started by us rather than by @temporalio/testing: the SDK (1.24.0,
// sdk-core's ephemeral_server) gives a JVM a fixed 5 s (50 tries, 100 ms apart) to answer,
// which a loaded 2-core machine misses ("ephemeral server … did not start within 5s"). Here a
// server has a minute to answer, and an early exit (a port taken meanwhile) is a retry.
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { Connection } from '@temporalio/client';
import { freePortOutsideEphemeralRange } from './ports';

export interface TestServerOptions {
  /** The wrapper script ensureTestServer returns. */
  bin: string;
  /** A port of its own; a free one if omitted (then an early exit is retried on another). */
  port?: number;
  /** How long it may take to answer (default 60 s). */
  readyTimeoutMs?: number;
}

export interface RunningTestServer {
  address: string;
  port: number;
  pid: number;
  /** How long it took to answer, from the spawn. */
  startMs: number;
  process: ChildProcess;
  /** Its output so far (the last 8 KB), for error reports. */
  output(): string;
  stop(): Promise<void>;
}

const ATTEMPTS = 3;

export async function startTestServer(o: TestServerOptions): Promise<RunningTestServer> {
  let lastError: Error | undefined;
  for (let attempt = 1; attempt <= (o.port ? 1 : ATTEMPTS); attempt++) {
    try {
      return await startOnce(o.bin, o.port ?? (await freePortOutsideEphemeralRange()), o.readyTimeoutMs ?? 60_000);
    } catch (err) {
      lastError = err as Error;
      if (!(err instanceof EarlyExit)) throw err;
    }
  }
  throw lastError!;
}

class EarlyExit extends Error {}

async function startOnce(bin: string, port: number, readyTimeoutMs: number): Promise<RunningTestServer> {
  const t0 = Date.now();
  const child = spawn(bin, [String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (c: Buffer) => {
    output = (output + c.toString()).slice(-8000);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<number | string | null>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal));
    child.once('error', (err) => resolve(err.message));
  });
  const address = `127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };

  const deadline = t0 + readyTimeoutMs;
  for (;;) {
    const early = await Promise.race([exited, new Promise((r) => setTimeout(() => r('wait'), 100))]);
    if (early !== 'wait') throw new EarlyExit(`the time-skipping test server exited (${String(early)}) before answering on ${address}:\n${output}`);
    try {
      // A plain TCP probe until the port is open: a refused gRPC connection would put grpc-js's
      // (process-wide) subchannel for the address into its reconnect back-off (1 s, 1.6 s, …),
      // and every later try would wait it out. Then what the SDK's own check does: a
      // connection, which asks GetSystemInfo.
      await tcpProbe(port);
      const conn = await Connection.connect({ address, connectTimeout: 2000, channelArgs: { 'grpc.use_local_subchannel_pool': 1 } });
      await conn.close();
      break;
    } catch (err) {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        await exited;
        throw new Error(`the time-skipping test server did not answer on ${address} within ${readyTimeoutMs / 1000} s: ${(err as Error).message}\n${output}`);
      }
    }
  }
  return { address, port, pid: child.pid!, startMs: Date.now() - t0, process: child, output: () => output, stop };
}

function tcpProbe(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('timeout', () => {
      socket.destroy();
      reject(new Error(`no answer on port ${port}`));
    });
    socket.once('error', (err) => {
      socket.destroy();
      reject(err);
    });
  });
}
