// Live changes of the inbox: PostgreSQL announces every new or changed task on the channel
// task_changed (a trigger, ids and states only); one connection per API process listens and
// hands each change to the open event streams. Reconnects after a lost connection; the
// streams are told (a `resync` event) so pages reload what they show.
import type { Request, Response } from 'express';
import pg from 'pg';
import type { Logger } from '../infra/logger';

export interface TaskChange {
  /** insert: a new task; update: a claim, a release, a reminder, a completion */
  op: 'insert' | 'update';
  taskId: string;
  kind: string;
  status: string;
  claimedBy: string | null;
  outcome: string | null;
  dueAt: string;
  canton: string;
  commune: string | null;
  applicationId: string | null;
  contractId: string | null;
}

export type FeedEvent = { type: 'task'; change: TaskChange } | { type: 'resync' } | { type: 'closing' };

export class TaskFeed {
  private client: pg.Client | null = null;
  private readonly listeners = new Set<(e: FeedEvent) => void>();
  private closed = false;
  private retryMs = 500;

  constructor(
    private readonly databaseUrl: string,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    await this.connect();
  }

  subscribe(listener: (e: FeedEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Streams the changes to one client as server-sent events until it goes away, or the feed
   * closes. The heartbeat is cleared on every way out (and unref'd: it never holds a
   * stopping process open), also when the client left before the stream was set up.
   */
  stream(req: Request, res: Response): void {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.write('retry: 3000\n\n');
    let seq = 0;
    // A comment now and then keeps proxies from closing a quiet stream.
    const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), 15_000).unref();
    let unsubscribe: () => unknown = () => false;
    // The stream lives no longer than the token that opened it: the client signs in again.
    const expiresAt = req.principal?.expiresAt;
    const expiry =
      expiresAt === undefined
        ? undefined
        : setTimeout(
            () => {
              res.write('event: token-expired\ndata: {}\n\n');
              end();
              res.end();
            },
            Math.max(0, expiresAt - Date.now()),
          ).unref();
    const end = () => {
      clearInterval(heartbeat);
      clearTimeout(expiry);
      unsubscribe();
    };
    unsubscribe = this.subscribe((e) => {
      if (e.type === 'closing') {
        end();
        return void res.end();
      }
      seq += 1;
      res.write(e.type === 'task' ? `id: ${seq}\nevent: task\ndata: ${JSON.stringify(e.change)}\n\n` : `id: ${seq}\nevent: resync\ndata: {}\n\n`);
    });
    req.on('close', end);
    res.on('close', end);
    if (req.destroyed || res.destroyed) end();
  }

  get subscribers(): number {
    return this.listeners.size;
  }

  private emit(e: FeedEvent) {
    for (const l of this.listeners) l(e);
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.databaseUrl, application_name: 'guichet-task-feed' });
    client.on('notification', (n) => {
      if (n.channel !== 'task_changed' || !n.payload) return;
      try {
        this.emit({ type: 'task', change: JSON.parse(n.payload) as TaskChange });
      } catch (err) {
        this.logger.warn({ err: (err as Error).message }, 'task feed: unreadable notification');
      }
    });
    client.on('error', (err) => {
      this.logger.warn({ err: err.message }, 'task feed: connection lost; reconnecting');
      void this.reconnect(client);
    });
    try {
      await client.connect();
      await client.query('LISTEN task_changed');
      this.client = client;
      this.retryMs = 500;
    } catch (err) {
      this.logger.warn({ err: (err as Error).message, retryMs: this.retryMs }, 'task feed: cannot listen; retrying');
      await this.reconnect(client);
    }
  }

  private async reconnect(failed: pg.Client): Promise<void> {
    if (this.client === failed) this.client = null;
    await failed.end().catch(() => undefined);
    if (this.closed) return;
    await new Promise((r) => setTimeout(r, this.retryMs).unref());
    this.retryMs = Math.min(this.retryMs * 2, 30_000);
    if (this.closed) return;
    await this.connect();
    // Changes made while nobody listened were missed: the pages reload.
    if (this.client) this.emit({ type: 'resync' });
  }

  /** Ends the event streams too (an open stream would keep the HTTP server from closing). */
  async close(): Promise<void> {
    this.closed = true;
    this.emit({ type: 'closing' });
    this.listeners.clear();
    await this.client?.end().catch(() => undefined);
    this.client = null;
  }
}
