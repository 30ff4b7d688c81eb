import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A reverse proxy on 127.0.0.1 as an operator puts resetd in front of an application:
 * `/auth/reset/*` goes to resetd, everything else to the application. Method, path, query,
 * headers and body pass through as they are (nginx's `proxy_pass` without a URI part).
 *
 *   const proxy = await startResetProxy({ application: unleash.url });
 *   resetd = await startTestResetd({ PUBLIC_URL: proxy.url, … });   // links in mail point at the proxy
 *   proxy.targets.resetd = resetd.url;
 */
export interface ResetProxy {
  /** Base URL, such as `http://127.0.0.1:41234` (no trailing slash). */
  url: string;
  /** Base URLs of both upstreams; may be set after the proxy started (until then: 502). */
  targets: { resetd?: string; application?: string };
  close(): Promise<void>;
}

export async function startResetProxy(targets: ResetProxy['targets'] = {}, prefix = '/auth/reset/'): Promise<ResetProxy> {
  const server = createServer((incoming, outgoing) => {
    const base = incoming.url!.startsWith(prefix) ? targets.resetd : targets.application;
    const fail = () => (outgoing.headersSent ? outgoing.destroy() : outgoing.writeHead(502).end());
    if (!base) return fail();
    const { hostname, port } = new URL(base);
    const upstream = request({ hostname, port, method: incoming.method, path: incoming.url, headers: incoming.headers }, (answer) => {
      outgoing.writeHead(answer.statusCode!, answer.statusMessage, answer.rawHeaders);
      answer.pipe(outgoing);
    });
    upstream.on('error', fail);
    incoming.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    targets,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
