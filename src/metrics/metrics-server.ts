import { createServer, STATUS_CODES } from 'node:http';
import type { ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isIPv6 } from 'node:net';
import { gracefulClose } from '../http/graceful-close.ts';
import type { MetricsText } from '../http/operations-handlers.ts';
import type { Logger } from '../log/logger.ts';

export interface MetricsServer {
  /** Where it listens, e.g. http://127.0.0.1:9464. */
  url: string;
  close(): Promise<void>;
}

/**
 * METRICS_PORT: a plain HTTP server that answers GET|HEAD /metrics without a token, for a
 * Prometheus on a private network (METRICS_HOST, loopback by default). It knows no other
 * path, and runs in a worker-only process too, so a separate worker can be scraped.
 */
export async function startMetricsServer(metrics: MetricsText, host: string, port: number, log: Logger): Promise<MetricsServer> {
  const server = createServer(async (request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (path !== '/metrics') return problem(response, 404, 'This port serves only /metrics.');
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('Allow', 'GET, HEAD');
      return problem(response, 405, 'Use GET or HEAD.');
    }
    try {
      const text = await metrics.text();
      response.writeHead(200, { 'Content-Type': metrics.contentType, 'Content-Length': Buffer.byteLength(text) });
      response.end(request.method === 'HEAD' ? undefined : text);
    } catch (error) {
      log.error('metrics.failed', { err: error });
      problem(response, 500, 'resetd failed to collect its metrics.');
    }
  });
  const closing = gracefulClose(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shown = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return {
    url: `http://${isIPv6(shown) ? `[${shown}]` : shown}:${address.port}`,
    // A scrape takes milliseconds: one second is plenty for the one in flight.
    close: async () => void (await closing.close(1_000)),
  };
}

function problem(response: ServerResponse, status: number, detail: string): void {
  const body = JSON.stringify({ type: 'about:blank', title: STATUS_CODES[status], status, detail });
  response.writeHead(status, { 'Content-Type': 'application/problem+json', 'Content-Length': Buffer.byteLength(body) });
  response.end(body);
}
