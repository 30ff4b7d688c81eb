import { spawn } from 'node:child_process';
import { afterAll, expect, it } from 'vitest';
import { freePort } from '../support/ports.ts';
import type { TestDatabase } from '../support/test-store.ts';
import { newTestDatabase } from '../support/test-store.ts';
import { until } from '../support/waiting.ts';

/**
 * resetd as a process: JSON lines on stdout when nobody watches (a pipe), readable lines
 * with LOG_FORMAT=pretty, and in both the last line before exit is not lost.
 */
const databases: TestDatabase[] = [];
afterAll(async () => {
  await Promise.all(databases.map((database) => database.drop()));
});

async function runOnce(env: Record<string, string>): Promise<{ lines: string[]; requestId: string }> {
  const database = newTestDatabase();
  databases.push(database);
  const port = await freePort();
  const { NODE_ENV: _, LOG_FORMAT: __, LOG_LEVEL: ___, ...base } = process.env;
  const child = spawn(process.execPath, ['bin/resetd.js', 'serve'], {
    env: { ...base, HOST: '127.0.0.1', PORT: String(port), DATABASE_URL: database.url, RESETD_WORKER: 'off', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    await until(() => output.includes('resetd.started') || child.exitCode !== null, 30_000, 50);
    const response = await fetch(`http://127.0.0.1:${port}/api/v4/user/reset`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    const requestId = response.headers.get('x-request-id')!;
    child.kill('SIGTERM');
    await exited;
    return { lines: output.trimEnd().split('\n'), requestId };
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

it('writes JSON lines to a pipe by default', async () => {
  const { lines, requestId } = await runOnce({});
  const parsed = lines.map((line) => JSON.parse(line));
  expect(parsed.map((line) => line.event)).toEqual(['resetd.started', 'request', 'resetd.stopping', 'resetd.stopped']);
  expect(parsed[1]).toMatchObject({ level: 'info', requestId, status: 200, dialect: 'cloudreve' });
});

it('writes readable lines with LOG_FORMAT=pretty, the request id in the access line', async () => {
  const { lines, requestId } = await runOnce({ LOG_FORMAT: 'pretty' });
  expect(lines).toHaveLength(4);
  expect(lines[0]).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: resetd\.started \{/);
  expect(lines[1]).toMatch(new RegExp(`^\\[[\\d:.]+\\] INFO: request \\{"requestId":"${requestId}",.*"status":200`));
  expect(lines[3]).toMatch(/INFO: resetd\.stopped/);
});
