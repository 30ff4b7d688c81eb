import type { ChildProcess } from 'node:child_process';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { NpmStart } from '../support/npm-start.ts';
import { accepts, alive, descendants, killGroup, npmStart as npmStartOn, whenStarted } from '../support/npm-start.ts';
import type { TestDatabase } from '../support/test-store.ts';
import { newTestDatabase } from '../support/test-store.ts';
import { until } from '../support/waiting.ts';

/**
 * `npm start` as an operator (or a supervisor) runs it: a signal to npm, or Ctrl-C to the
 * whole terminal group, stops resetd itself, leaves no process behind and frees the port.
 * Before the fix npm's shell died of SIGTERM and left tsx and resetd running as orphans.
 */
const databases: TestDatabase[] = [];
const started: ChildProcess[] = [];

afterEach(() => {
  for (const child of started.splice(0)) killGroup(child);
});
afterAll(async () => {
  await Promise.all(databases.map((database) => database.drop()));
});

/** `npm start` (or another npm script) on a database of its own. */
async function npmStart(env: Record<string, string> = {}, args: readonly string[] = ['start']): Promise<NpmStart> {
  const database = newTestDatabase();
  databases.push(database);
  const run = await npmStartOn({ DATABASE_URL: database.url, ...env }, args);
  started.push(run.child);
  return run;
}

describe('npm start and signals', () => {
  it.each([['npm start'], ['npm run resetd -- serve']])('SIGTERM to `%s` stops resetd: exit 0, no process left, the port free', async (command) => {
    const run = await npmStart({}, command.split(' ').slice(1));
    await whenStarted(run);
    const tree = descendants(run.child.pid!);
    expect(tree.length).toBeGreaterThan(0);
    expect(await accepts(run.port)).toBe(true);

    run.child.kill('SIGTERM');
    expect(await run.exit).toEqual({ code: 0, signal: null });
    await until(() => tree.every((pid) => !alive(pid)), 15_000, 50).catch(() => {
      throw new Error(`still running after npm exited: ${tree.filter(alive).join(', ')}\n${run.output()}`);
    });
    expect(await accepts(run.port)).toBe(false);
    expect(run.output()).toContain('"resetd.stopped"');
  }, 60_000);

  it('Ctrl-C (SIGINT to the whole group, which npm forwards once more) stops it cleanly with exit 0', async () => {
    const run = await npmStart();
    await whenStarted(run);
    const tree = descendants(run.child.pid!);

    process.kill(-run.child.pid!, 'SIGINT');
    expect(await run.exit).toEqual({ code: 0, signal: null });
    await until(() => tree.every((pid) => !alive(pid)), 15_000, 50);
    expect(await accepts(run.port)).toBe(false);
    expect(run.output()).toContain('"resetd.stopped"');
  }, 60_000);

  it('in production (NODE_ENV in any letter case) without SMTP_URL it exits 2 naming SMTP_URL', async () => {
    const run = await npmStart({ NODE_ENV: 'PRODUCTION' });
    const { code } = await run.exit;
    expect(code, run.output()).toBe(2);
    expect(run.output()).toMatch(/SMTP_URL: must be set in production/);
    expect(run.output()).not.toContain('"resetd.started"');
  }, 60_000);
});
