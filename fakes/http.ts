// What the fake services share: quiet error answers (express's default handler logs, and a
// bad body may echo personal data) and listening on loopback with a clean close.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ErrorRequestHandler, Express } from 'express';

/** Ends the app's routes: 404 for the rest, and errors answered without their content. */
export function finishApp(app: Express, tooLargeMessage = 'the request is too large'): Express {
  app.use((_req, res) => {
    res.status(404).json({ error: 'no such endpoint' });
  });
  const onError: ErrorRequestHandler = (err: { status?: number; type?: string }, _req, res, _next) => {
    if (err.type === 'entity.too.large') {
      res.status(413).json({ error: tooLargeMessage });
      return;
    }
    const status = typeof err.status === 'number' && err.status >= 400 && err.status < 500 ? err.status : 500;
    res.status(status).json({ error: status === 500 ? 'internal error' : 'bad request' });
  };
  app.use(onError);
  return app;
}

/** Listens on host:port (0: the OS picks) and gives the URL and a close that does not hang. */
export async function listenOn(
  app: Express,
  port: number,
  host: string,
  beforeClose: () => void = () => undefined,
): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(port, host, (err?: Error) => (err ? reject(err) : resolve(s)));
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${actual}`,
    server,
    close: () =>
      new Promise<void>((resolve, reject) => {
        beforeClose();
        server.close((err) => (err ? reject(err) : resolve()));
        // Keep-alive sockets would otherwise hold close() open.
        server.closeAllConnections();
      }),
  };
}
