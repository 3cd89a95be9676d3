// How the API's HTTP server treats idle keep-alive connections. Node closes one after 5 s
// idle; a client (HAProxy, a portal's agent) that reuses it at that moment gets ECONNRESET
// on a request that may already be on its way (seen in `npm run bench`). The server keeps
// them longer than HAProxy's `timeout server` (deploy/haproxy/haproxy.cfg, 60 s), so the
// client is the side that closes.
import type { Server } from 'node:http';

export const KEEP_ALIVE_TIMEOUT_MS = 65_000;

export function keepIdleConnections(server: Server): Server {
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  // Must exceed keepAliveTimeout, or a request on a reused socket can be cut at its headers.
  server.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1_000;
  return server;
}
