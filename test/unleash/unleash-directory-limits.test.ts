import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import type { Account } from '../../src/core/directory.ts';
import { DirectoryError } from '../../src/core/directory.ts';
import { checkUnleashDirectorySettings, openUnleashDirectory } from '../../src/directory/unleash/unleash-directory.ts';

// What no well-behaved Unleash shows: a server that never answers, one that redirects, one that
// floods. Loopback servers play the part; the directory must hold its limits against each.

const TOKEN = 'user:limits0123456789abcdef0123456789abcdef0123456789abcd';
const ACCOUNT: Account = { id: '2', email: 'ada@example.com', name: null, locale: null, disabled: false };
const servers: { close(): void; closeAllConnections(): void }[] = [];

afterEach(() => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    server.close();
  }
});

async function serve(handler: (request: IncomingMessage, response: ServerResponse) => void): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('limits', () => {
  test('an Unleash that never answers: every call gives up at the time limit', async () => {
    const url = await serve(() => undefined);
    const silent = openUnleashDirectory({ url, token: TOKEN, timeoutMs: 300 });
    const started = Date.now();
    await expect(silent.find('ada@example.com')).rejects.toThrow(/no answer within 300 ms/);
    expect(await silent.setPassword(ACCOUNT, 'Perfectly-Fine-Passw0rd')).toEqual({ kind: 'unavailable', error: expect.stringMatching(/no answer within 300 ms/) });
    await expect(silent.ping()).rejects.toThrow(/no answer within 300 ms/);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  test('a redirect is not followed: the token and the password never reach the other host', async () => {
    const reached: string[] = [];
    const elsewhere = await serve((request, response) => {
      reached.push(`${request.method} ${request.url} ${request.headers.authorization}`);
      response.end('[]');
    });
    const url = await serve((request, response) => {
      response.writeHead(307, { location: `${elsewhere}${request.url}` }).end();
    });
    const redirected = openUnleashDirectory({ url, token: TOKEN, timeoutMs: 2_000 });
    await expect(redirected.find('ada@example.com')).rejects.toThrow(/307/);
    expect(await redirected.setPassword(ACCOUNT, 'Perfectly-Fine-Passw0rd')).toEqual({ kind: 'unavailable', error: expect.stringMatching(/307/) });
    await expect(redirected.ping()).rejects.toThrow(/307/);
    expect(reached).toEqual([]);
  });

  test('an answer past the size cap is an error, not read to its end', async () => {
    let written = 0;
    const url = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      const user = JSON.stringify({ id: 7, email: 'ada@example.com.flood', name: 'x'.repeat(1000) });
      response.write('[');
      // Far more than the cap, sent chunked (no Content-Length to refuse up front).
      const more = () => {
        while (written < 4_000 && response.write(`${user},`)) written++;
        if (written < 4_000) response.once('drain', more);
        else response.end(`${user}]`);
      };
      more();
    });
    const flood = openUnleashDirectory({ url, token: TOKEN, timeoutMs: 5_000 });
    const error = await flood.find('ada@example.com').then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(DirectoryError);
    expect((error as Error).message).toMatch(/larger than 262144 bytes/);
  });

  test('a search answer of the wrong shape is an error, never an account', async () => {
    for (const body of ['{"users":[]}', 'not json', '[{"id":"x","email":"ada@example.com"}]', '[null]']) {
      const url = await serve((_request, response) => response.writeHead(200, { 'content-type': 'application/json' }).end(body));
      const wrong = openUnleashDirectory({ url, token: TOKEN, timeoutMs: 2_000 });
      await expect(wrong.find('ada@example.com'), body).rejects.toThrow(DirectoryError);
    }
  });
});

describe('settings', () => {
  test('a good URL and token: no problems', () => {
    expect(checkUnleashDirectorySettings('https://unleash.example.com', TOKEN)).toEqual([]);
    expect(checkUnleashDirectorySettings('https://example.com/unleash/', '*:*.abc123')).toEqual([]);
    for (const loopback of ['http://localhost:4242', 'http://127.0.0.1:4242', 'http://127.1:4242', 'http://[::1]:4242']) {
      expect(checkUnleashDirectorySettings(loopback, TOKEN), loopback).toEqual([]);
    }
  });

  test('each problem names its setting, and the token is never echoed', () => {
    const cases: [string | null, string | null, RegExp][] = [
      [null, TOKEN, /^UNLEASH_URL: must be set/],
      ['unleash.example.com', TOKEN, /^UNLEASH_URL: must be an absolute/],
      ['ftp://unleash.example.com', TOKEN, /^UNLEASH_URL: must be an absolute/],
      ['http://unleash.example.com', TOKEN, /^UNLEASH_URL: plain http:\/\/ is allowed only to a loopback host/],
      ['http://10.0.0.5:4242', TOKEN, /^UNLEASH_URL: plain http:\/\//],
      ['https://admin:secret@unleash.example.com', TOKEN, /^UNLEASH_URL: must not carry credentials/],
      ['https://unleash.example.com/?x=1', TOKEN, /^UNLEASH_URL: must be the server's base URL/],
      ['https://unleash.example.com', null, /^UNLEASH_API_TOKEN: must be set/],
      ['https://unleash.example.com', 'user:abc def\n', /^UNLEASH_API_TOKEN: must be printable ASCII/],
    ];
    for (const [url, token, problem] of cases) {
      const problems = checkUnleashDirectorySettings(url, token);
      expect(problems, `${url} ${token}`).toEqual([expect.stringMatching(problem)]);
      if (token) expect(problems.join(' ')).not.toContain(token.trim());
    }
    expect(() => openUnleashDirectory({ url: 'http://unleash.example.com', token: TOKEN, timeoutMs: 1_000 })).toThrow(/UNLEASH_URL/);
  });
});
