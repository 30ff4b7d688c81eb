import { createServer } from 'node:net';
import type { AddressInfo, Server } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import type { DirectoryReceiver } from '../support/directory-receiver.ts';
import { startDirectoryReceiver } from '../support/directory-receiver.ts';
import { freePort } from '../support/ports.ts';
import type { TestResetd } from '../support/resetd.ts';
import { startTestResetd } from '../support/resetd.ts';

/**
 * /healthz says the process answers; /readyz says whether this instance can serve: its
 * store and its directory reachable, and if not, which one.
 */
const SECRET = 'readiness-directory-secret';
const started: TestResetd[] = [];
const closers: (() => Promise<void>)[] = [];
const start = async (env: Record<string, string> = {}) => {
  const resetd = await startTestResetd({ RESETD_WORKER: 'off', ...env });
  started.push(resetd);
  return resetd;
};

afterAll(async () => {
  await Promise.all(started.map((resetd) => resetd.dispose()));
  await Promise.all(closers.map((close) => close()));
});

/** A loopback port that accepts connections and never answers: a hung application. */
async function silentPort(): Promise<number> {
  const sockets = new Set<import('node:net').Socket>();
  const server: Server = createServer((socket) => void sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  return (server.address() as AddressInfo).port;
}

async function get(resetd: TestResetd, path: string, method = 'GET') {
  const response = await fetch(`${resetd.url}${path}`, { method });
  const text = await response.text();
  return { status: response.status, text, json: text ? JSON.parse(text) : undefined };
}

describe('readiness and liveness', () => {
  it('a working instance is ready: store and directory answer', async () => {
    const resetd = await start();
    expect(await get(resetd, '/readyz')).toMatchObject({ status: 200, json: { status: 'ready', checks: { store: 'ok', directory: 'ok' } } });
    expect(await get(resetd, '/healthz')).toMatchObject({ status: 200, json: { status: 'ok' } });
  });

  it('with its store closed it is not ready and says so, while /healthz still answers 200', async () => {
    const resetd = await start();
    await resetd.store.close();
    const ready = await get(resetd, '/readyz');
    expect(ready.status).toBe(503);
    // DIRECTORY=builtin: the directory is the store, so it is down too.
    expect(ready.json).toEqual({ status: 'unavailable', checks: { store: 'down', directory: 'down' } });
    expect(await get(resetd, '/healthz')).toMatchObject({ status: 200, json: { status: 'ok' } });
  });

  it('an application directory that refuses connections is named, and the store is not', async () => {
    const resetd = await start({ DIRECTORY: 'http', DIRECTORY_URL: `http://127.0.0.1:${await freePort()}/directory`, DIRECTORY_SECRET: SECRET });
    expect(await get(resetd, '/readyz')).toMatchObject({ status: 503, json: { status: 'unavailable', checks: { store: 'ok', directory: 'down' } } });
    expect((await get(resetd, '/healthz')).status).toBe(200);
  });

  it('an application directory that hangs is down after 2 seconds, not after its own 5 s time limit', { timeout: 15_000 }, async () => {
    const resetd = await start({ DIRECTORY: 'http', DIRECTORY_URL: `http://127.0.0.1:${await silentPort()}/directory`, DIRECTORY_SECRET: SECRET, DIRECTORY_TIMEOUT_MS: '5000' });
    const began = performance.now();
    const ready = await get(resetd, '/readyz');
    const took = performance.now() - began;
    expect(ready).toMatchObject({ status: 503, json: { checks: { store: 'ok', directory: 'down' } } });
    expect(took).toBeGreaterThanOrEqual(1_900);
    expect(took).toBeLessThan(4_000);
  });

  it('an application directory that answers its signed ping is ready, and is asked each time', async () => {
    const receiver: DirectoryReceiver = await startDirectoryReceiver(SECRET);
    closers.push(() => receiver.close());
    const resetd = await start({ DIRECTORY: 'http', DIRECTORY_URL: receiver.url, DIRECTORY_SECRET: SECRET });
    expect(await get(resetd, '/readyz')).toMatchObject({ status: 200, json: { checks: { store: 'ok', directory: 'ok' } } });
    receiver.answer = () => ({ status: 503 });
    expect(await get(resetd, '/readyz')).toMatchObject({ status: 503, json: { checks: { store: 'ok', directory: 'down' } } });
    expect(receiver.calls.map((call) => call.payload.action)).toEqual(['ping', 'ping']);
  });

  it('HEAD answers the same statuses with no body', async () => {
    const resetd = await start();
    for (const path of ['/healthz', '/readyz']) {
      const head = await get(resetd, path, 'HEAD');
      expect(head).toMatchObject({ status: 200, text: '' });
    }
    await resetd.store.close();
    expect(await get(resetd, '/readyz', 'HEAD')).toMatchObject({ status: 503, text: '' });
    expect(await get(resetd, '/healthz', 'HEAD')).toMatchObject({ status: 200, text: '' });
  });
});
