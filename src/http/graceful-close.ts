import type { IncomingMessage, Server, ServerResponse } from 'node:http';

export interface GracefulClose {
  /**
   * Stops accepting connections, answers every request already received, closes keep-alive
   * connections as soon as they are idle, and after `graceMs` cuts what is still open.
   * Resolves with the number of requests cut (0 when all were answered).
   */
  close(graceMs: number): Promise<number>;
}

/**
 * Watches a server's requests from the start, so that on shutdown it knows which are in
 * flight. Cutting them (closeAllConnections) turns a stop into connection resets for clients
 * whose requests may already be committed; a load balancer retries a refused connection, not
 * a reset one.
 */
export function gracefulClose(server: Server): GracefulClose {
  const open = new Set<ServerResponse>();
  let closing = false;
  // The connection is idle once its response is out: closed then, not at keepAliveTimeout.
  const closeIdleSoon = () => setImmediate(() => server.closeIdleConnections());
  server.on('request', (_request: IncomingMessage, response: ServerResponse) => {
    open.add(response);
    if (closing) lastOnItsConnection(response);
    response.once('close', () => {
      open.delete(response);
      if (closing) closeIdleSoon();
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
        server.close(() => {
          clearTimeout(cut);
          resolve(0);
        });
        server.closeIdleConnections();
      });
    },
  };
}

/** `Connection: close` tells the client not to send another request on this connection. */
function lastOnItsConnection(response: ServerResponse): void {
  if (!response.headersSent) response.setHeader('connection', 'close');
}
