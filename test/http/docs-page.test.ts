import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TestResetd } from '../support/resetd.ts';
import { startTestResetd } from '../support/resetd.ts';

/** /docs is a static asset: compressed, validated by ETag, cacheable, and allowed to load nothing from another host. */
let resetd: TestResetd;
beforeAll(async () => {
  resetd = await startTestResetd({});
});
afterAll(() => resetd?.dispose());

it('is served compressed to a client that takes it, and whole to one that does not', async () => {
  const { request } = await import('node:http');
  const get = (encoding: string) =>
    new Promise<{ headers: Record<string, unknown>; body: Buffer }>((resolve, reject) => {
      const url = new URL(`${resetd.url}/docs`);
      request({ host: url.hostname, port: url.port, path: '/docs', headers: { 'accept-encoding': encoding } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
      }).on('error', reject).end();
    });
  const plain = await get('identity');
  const gzip = await get('gzip');
  expect(plain.headers['content-encoding']).toBeUndefined();
  expect(gzip.headers['content-encoding']).toBe('gzip');
  expect(gzip.body.length).toBeLessThan(plain.body.length / 2);
  expect(gunzipSync(gzip.body).equals(plain.body)).toBe(true);
  expect((await get('br, gzip')).headers['content-encoding']).toBe('br');
  expect(plain.headers.vary).toBe('Accept-Encoding');
});

it('is cacheable and answers 304 to a client whose copy is current', async () => {
  const first = await fetch(`${resetd.url}/docs`);
  const etag = first.headers.get('etag')!;
  expect(etag).toMatch(/^"[\w-]+"$/);
  expect(first.headers.get('cache-control')).toBe('public, max-age=3600');
  const again = await fetch(`${resetd.url}/docs`, { headers: { 'if-none-match': etag } });
  expect(again.status).toBe(304);
  expect(await again.text()).toBe('');
  expect((await fetch(`${resetd.url}/docs`, { headers: { 'if-none-match': '"something-else"' } })).status).toBe(200);
});

it('may load nothing from any other host, and refers to none for what it runs', async () => {
  const response = await fetch(`${resetd.url}/docs`);
  expect(response.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
  expect(response.headers.get('content-security-policy')).not.toMatch(/https?:/);
  const html = await response.text();
  // Links in its text may name other sites; nothing it loads (src=, @import, url()) does.
  expect(html).not.toMatch(/\bsrc=["']https?:\/\//);
  expect(html).not.toMatch(/@import\s+url\(["']?https?:/);
});

it('keeps each product’s description, where resetd differs from it on purpose included', async () => {
  const html = await (await fetch(`${resetd.url}/docs`)).text();
  for (const phrase of ['which tells a stranger who has an account', 'resetd differs from the product on purpose']) {
    expect(html.includes(phrase), phrase).toBe(true);
  }
});
