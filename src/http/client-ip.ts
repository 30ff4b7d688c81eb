import { isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';
import proxyaddr from 'proxy-addr';

export interface ClientAddresses {
  /**
   * The client's address: the socket's peer, or, when that peer is a trusted proxy, the
   * nearest untrusted address in X-Forwarded-For. A forwarded entry that is not an IP
   * address is not believed (it could carry any text into logs and mail).
   */
  clientIp(req: IncomingMessage): string | null;
  /** Whether the socket's peer is one of TRUSTED_PROXIES: the trust the client IP is decided by, for the other headers a proxy sets. */
  trustedPeer(req: IncomingMessage): boolean;
}

/** How many addresses' trust is remembered; past it, the memory starts over. */
const REMEMBERED = 1024;

/**
 * Both answers from one trust test, proxy-addr's, remembered per address: it parses the
 * address (ipaddr.js) on every call, and it is asked about the peer (nearly always the same
 * few proxies) for each request, about 2 µs a time. proxy-addr's compiled test ignores the
 * hop it is given, so remembering by address alone is exact.
 */
export function clientAddresses(trustedProxies: readonly string[]): ClientAddresses {
  const compiled = proxyaddr.compile([...trustedProxies]);
  const known = new Map<string, boolean>();
  const trust = (address: string) => {
    let trusted = known.get(address);
    if (trusted === undefined) {
      trusted = compiled(address, 0);
      if (known.size >= REMEMBERED) known.clear();
      known.set(address, trusted);
    }
    return trusted;
  };
  return {
    clientIp(req) {
      const peer = req.socket.remoteAddress ?? null;
      if (peer === null || trustedProxies.length === 0) return peer;
      const forwarded = proxyaddr(req, trust);
      return isIP(forwarded) ? forwarded : peer;
    },
    trustedPeer(req) {
      const peer = req.socket.remoteAddress;
      return peer !== undefined && trustedProxies.length > 0 && trust(peer);
    },
  };
}
