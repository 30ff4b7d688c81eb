import { isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';
import proxyaddr from 'proxy-addr';

/**
 * The client's address: the socket's peer, or, when that peer is a trusted proxy, the
 * nearest untrusted address in X-Forwarded-For. A forwarded entry that is not an IP
 * address is not believed (it could carry any text into logs and mail).
 */
export function clientIpResolver(trustedProxies: readonly string[]): (req: IncomingMessage) => string | null {
  const trust = rememberedTrust(trustedProxies);
  return (req) => {
    const peer = req.socket.remoteAddress ?? null;
    if (peer === null || trustedProxies.length === 0) return peer;
    const forwarded = proxyaddr(req, trust);
    return isIP(forwarded) ? forwarded : peer;
  };
}

/** Whether the socket's peer is one of TRUSTED_PROXIES: the trust the client IP is decided by, for the other headers a proxy sets. */
export function trustedPeer(trustedProxies: readonly string[]): (req: IncomingMessage) => boolean {
  const trust = rememberedTrust(trustedProxies);
  return (req) => {
    const peer = req.socket.remoteAddress;
    return peer !== undefined && trustedProxies.length > 0 && trust(peer);
  };
}

/** How many addresses' trust is remembered; past it, the memory starts over. */
const REMEMBERED = 1024;

/**
 * proxy-addr's trust test, remembered per address. It parses the address (ipaddr.js) on
 * every call, and it is asked about the peer (nearly always the same few proxies) for each
 * request: about 2 µs a time, several times a request.
 */
function rememberedTrust(trustedProxies: readonly string[]): (address: string) => boolean {
  const trust = proxyaddr.compile([...trustedProxies]);
  const known = new Map<string, boolean>();
  return (address) => {
    let trusted = known.get(address);
    if (trusted === undefined) {
      trusted = trust(address, 0);
      if (known.size >= REMEMBERED) known.clear();
      known.set(address, trusted);
    }
    return trusted;
  };
}
