import type { ChildProcess } from 'node:child_process';
import { execFileSync, spawn } from 'node:child_process';
import { connect } from 'node:net';
import { freePort } from './ports.ts';
import { until } from './waiting.ts';

/**
 * `npm start` (or another npm script) as a terminal or a supervisor starts it: in a process
 * group of its own, on a free port, with the settings given and none of the test runner's.
 */
export interface NpmStart {
  child: ChildProcess;
  port: number;
  output: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

// What the test runner's own environment might set must not decide how resetd starts.
const UNSET = ['HOST', 'PORT', 'SMTP_URL', 'DEV_MAILBOX', 'NODE_ENV', 'RESETD_CONFIG', 'RESETD_WORKER', 'SHUTDOWN_TIMEOUT', 'npm_lifecycle_event'];

export async function npmStart(env: Record<string, string>, args: readonly string[] = ['start']): Promise<NpmStart> {
  const port = await freePort();
  const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !UNSET.includes(name)));
  const child = spawn('npm', [...args], {
    env: { ...base, PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, port, output: () => output, exit };
}

export async function whenStarted(run: NpmStart): Promise<void> {
  await until(() => run.output().includes('"resetd.started"') || run.child.exitCode !== null, 30_000, 50).catch(() => {
    throw new Error(`npm start did not start:\n${run.output()}`);
  });
  if (run.child.exitCode !== null) throw new Error(`npm start exited with ${run.child.exitCode}:\n${run.output()}`);
}

/** Whatever a failed test left behind: the whole process group. */
export function killGroup(child: ChildProcess): void {
  try {
    process.kill(-child.pid!, 'SIGKILL');
  } catch {}
}

/** Every process below `pid`, from the process table. */
export function descendants(pid: number): number[] {
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

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Whether something accepts TCP connections on the loopback port. */
export function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
