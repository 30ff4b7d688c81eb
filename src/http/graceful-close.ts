import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Server as NetServer } from 'node:net';

export interface GracefulClose {
  /**
   * Stops accepting connections, answers every request already received, closes keep-alive
   * connections once they are idle, and after `graceMs` cuts what is still open.
   * Resolves with the number of requests cut (0 when all were answered).
   */
  close(graceMs: number): Promise<number>;
}

/**
 * How long an idle keep-alive connection may still bring one more request after the stop
 * begins. A client that has just had an answer may have sent its next request already:
 * closing the connection under it resets that request, and the client cannot tell whether it
 * was carried out. Answered instead (with `Connection: close`), it ends cleanly.
 */
const IDLE_GRACE_MS = 500;

/**
 * Watches a server's requests from the start, so that on shutdown it knows which are in
 * flight. Cutting them (closeAllConnections) turns a stop into connection resets for clients
 * whose requests may already be committed; a load balancer retries a refused connection, not
 * a reset one.
 */
export function gracefulClose(server: Server): GracefulClose {
  const open = new Set<ServerResponse>();
  let closing = false;
  let idleGraceOver = false;
  // After the idle grace, a connection is closed once its response is out, not at keepAliveTimeout.
  const closeIdleSoon = () => setImmediate(() => server.closeIdleConnections());
  server.on('request', (_request: IncomingMessage, response: ServerResponse) => {
    open.add(response);
    if (closing) lastOnItsConnection(response);
    response.once('close', () => {
      open.delete(response);
      if (idleGraceOver) closeIdleSoon();
    });
  });
  return {
    close(graceMs) {
      closing = true;
      for (const response of open) lastOnItsConnection(response);
      return new Promise((resolve) => {
        const cut = setTimeout(() => {
          const left = open.size;
          server.closeAllConnections();
          resolve(left);
        }, graceMs);
        const idle = setTimeout(() => {
          idleGraceOver = true;
          server.closeIdleConnections();
        }, Math.min(IDLE_GRACE_MS, graceMs / 2));
        // net.Server's close stops listening and calls back once every connection has ended;
        // http.Server's would also close the idle keep-alive connections at once, under
        // requests that may be on their way.
        NetServer.prototype.close.call(server, () => {
          clearTimeout(cut);
          clearTimeout(idle);
          resolve(0);
        });
      });
    },
  };
}

/** `Connection: close` tells the client not to send another request on this connection. */
function lastOnItsConnection(response: ServerResponse): void {
  if (!response.headersSent) response.setHeader('connection', 'close');
}
