import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { clientAddresses } from '../../src/http/client-ip.ts';

const request = (peer: string, forwardedFor?: string) =>
  ({ socket: { remoteAddress: peer }, headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor } }) as unknown as IncomingMessage;

describe('the client IP', () => {
  it('is the peer when no proxy is trusted, whatever X-Forwarded-For says', () => {
    const resolve = clientAddresses([]).clientIp;
    expect(resolve(request('192.0.2.7', '203.0.113.1'))).toBe('192.0.2.7');
  });

  it('behind a trusted proxy is the nearest address the trusted proxies did not add', () => {
    const resolve = clientAddresses(['127.0.0.1', '10.0.0.0/8']).clientIp;
    expect(resolve(request('127.0.0.1', '203.0.113.1'))).toBe('203.0.113.1');
    // The client forged the first entry; a second proxy inside 10/8 added the real one.
    expect(resolve(request('127.0.0.1', '198.51.100.66, 203.0.113.2, 10.1.2.3'))).toBe('203.0.113.2');
    expect(resolve(request('192.0.2.9', '203.0.113.1'))).toBe('192.0.2.9');
    expect(resolve(request('127.0.0.1', 'not-an-address'))).toBe('127.0.0.1');
  });

  it('stays exact for every peer while the trust of thousands of addresses is remembered and forgotten', () => {
    const { clientIp: resolve, trustedPeer: peerTrusted } = clientAddresses(['127.0.0.1']);
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 1500; i++) {
        const peer = `192.0.${i >> 8}.${i & 255}`;
        expect(resolve(request(peer, '203.0.113.1'))).toBe(peer);
        expect(peerTrusted(request(peer))).toBe(false);
      }
      expect(resolve(request('127.0.0.1', '203.0.113.1'))).toBe('203.0.113.1');
      expect(peerTrusted(request('127.0.0.1'))).toBe(true);
    }
  });
});
