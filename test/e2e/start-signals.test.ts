import type { ChildProcess } from 'node:child_process';
import { execFileSync, spawn } from 'node:child_process';
import { connect } from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../support/ports.ts';
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
  // Whatever a failed test left behind: its whole process group.
  for (const child of started.splice(0)) {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {}
  }
});
afterAll(async () => {
  await Promise.all(databases.map((database) => database.drop()));
});

// What the test runner's own environment might set must not decide how resetd starts.
const UNSET = ['HOST', 'PORT', 'SMTP_URL', 'DEV_MAILBOX', 'NODE_ENV', 'RESETD_CONFIG', 'RESETD_WORKER', 'npm_lifecycle_event'];

interface NpmStart {
  child: ChildProcess;
  port: number;
  output: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `npm start` (or another npm script) in a process group of its own, as a terminal or a supervisor starts it. */
async function npmStart(env: Record<string, string> = {}, args: readonly string[] = ['start']): Promise<NpmStart> {
  const database = newTestDatabase();
  databases.push(database);
  const port = await freePort();
  const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !UNSET.includes(name)));
  const child = spawn('npm', [...args], {
    env: { ...base, PORT: String(port), DATABASE_URL: database.url, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  started.push(child);
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, port, output: () => output, exit };
}

async function whenStarted(run: NpmStart): Promise<void> {
  await until(() => run.output().includes('"resetd.started"') || run.child.exitCode !== null, 30_000, 50).catch(() => {
    throw new Error(`npm start did not start:\n${run.output()}`);
  });
  if (run.child.exitCode !== null) throw new Error(`npm start exited with ${run.child.exitCode}:\n${run.output()}`);
}

/** Every process below `pid`, from the process table. */
function descendants(pid: number): number[] {
  const table = execFileSync('ps', ['-e', '-o', 'pid=,ppid='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number) as [number, number]);
  const below: number[] = [];
  const visit = (parent: number) => {
    for (const [child, ppid] of table) {
      if (ppid === parent) {
        below.push(child);
        visit(child);
      }
    }
  };
  visit(pid);
  return below;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
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
