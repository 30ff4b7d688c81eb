/**
 * Start time and idle memory of resetd, the compiled build beside the previous way (the
 * sources through tsx), in one run on one machine: figures here move from day to day, the
 * ratio much less.
 *
 *   npm run bench:start [-- runs]        (default 5 runs of each way, interleaved)
 *
 * Start time: from spawning the process to the first 200 from GET /healthz (polled every
 * 5 ms). Idle RSS: the server process's resident memory (VmRSS) 3 s after that, the worker
 * on, the embedded SQLite store and the dev mailbox: `npm start` with no settings. For
 * `npm start` the RSS is the server's alone; npm itself stays resident beside it.
 */
import type { ChildProcess } from 'node:child_process';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../test/support/ports.ts';

interface Way {
  name: string;
  command: string;
  args: string[];
}

const WAYS: Way[] = [
  { name: 'sources through tsx (before)', command: process.execPath, args: ['--import', 'tsx', 'src/main.ts'] },
  { name: 'node dist/src/main.js', command: process.execPath, args: ['dist/src/main.js'] },
  { name: 'node bin/resetd.js serve', command: process.execPath, args: ['bin/resetd.js', 'serve'] },
  { name: 'npm start', command: 'npm', args: ['start', '--silent'] },
];
const IDLE_MS = 3_000;

/** The process that listens: the spawned node, or under npm the child it runs (`exec node …`). */
function serverPid(child: ChildProcess, way: Way): number {
  if (way.command === process.execPath) return child.pid!;
  const below = execFileSync('ps', ['--ppid', String(child.pid), '-o', 'pid='], { encoding: 'utf8' }).trim().split(/\s+/);
  if (below.length !== 1) throw new Error(`${way.name}: expected one process under npm, found ${below.join(', ')}`);
  return Number(below[0]);
}

/** CPU time (user + system) the process has used, in ms: less moved by other load than wall time. */
function cpuMs(pid: number): number {
  // Fields 14 and 15 of /proc/<pid>/stat, counted after the parenthesised command name.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}
const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));

function rssMb(pid: number): number {
  const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
  return kb / 1024;
}

interface Sample {
  startMs: number;
  cpuMs: number;
  rssMb: number;
}

async function once(way: Way): Promise<Sample> {
  const dir = mkdtempSync(join(tmpdir(), 'resetd-start-'));
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: `sqlite:${join(dir, 'resetd.db')}` };
  for (const name of ['SMTP_URL', 'NODE_ENV', 'RESETD_CONFIG', 'RESETD_WORKER', 'DEV_MAILBOX']) delete env[name];
  const started = performance.now();
  const child = spawn(way.command, way.args, { env, stdio: ['ignore', 'ignore', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${way.name} exited with ${child.exitCode}`);
      const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.status === 200, () => false);
      if (ok) break;
      if (performance.now() - started > 30_000) throw new Error(`${way.name} did not answer /healthz in 30 s`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const startMs = performance.now() - started;
    const pid = serverPid(child, way);
    const startCpuMs = cpuMs(pid);
    await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
    return { startMs, cpuMs: startCpuMs, rssMb: rssMb(pid) };
  } finally {
    child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const range = (values: number[], digits: number) => `${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)}`;

const runs = Number(process.argv[2] ?? 5);
// Built (when stale) before anything is timed, so that no way pays for the build.
execFileSync(process.execPath, ['scripts/build.mjs', '--if-stale'], { stdio: 'inherit' });
const results = new Map<string, Sample[]>(WAYS.map((way) => [way.name, []]));
for (let run = 0; run < runs; run++) {
  for (const way of WAYS) results.get(way.name)!.push(await once(way));
}

console.log(`start time (spawn → first /healthz 200), the server's CPU time until then, idle RSS ${IDLE_MS / 1000} s later; ${runs} runs each, Node ${process.version}`);
const columns = ['way'.padEnd(30), 'start median', 'start range', 'CPU median', 'RSS median', 'RSS range'];
console.log(columns.map((c, i) => (i === 0 ? c : c.padStart(13))).join(' '));
for (const [name, samples] of results) {
  const starts = samples.map((s) => s.startMs);
  const rss = samples.map((s) => s.rssMb);
  const row = [
    name.padEnd(30),
    `${median(starts).toFixed(0)} ms`,
    `${range(starts, 0)} ms`,
    `${median(samples.map((s) => s.cpuMs)).toFixed(0)} ms`,
    `${median(rss).toFixed(0)} MB`,
    `${range(rss, 0)} MB`,
  ];
  console.log(row.map((c, i) => (i === 0 ? c : c.padStart(13))).join(' '));
}
