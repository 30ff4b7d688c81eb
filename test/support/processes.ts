import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { checkResponsesFrom, stopCheckingResponsesFrom } from './spec-checked.ts';

/**
 * resetd as its own process, as operators run it: `resetd serve` or `resetd worker`. Given a
 * port, every response a test fetches from it is checked against the spec while it runs.
 */
export interface ResetdProcess {
  child: ChildProcess;
  url: string;
  /** Everything it wrote so far, stdout and stderr. */
  output(): string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export async function startResetdProcess(role: 'serve' | 'worker', env: Record<string, string>, port = 0): Promise<ResetdProcess> {
  const child = spawn(process.execPath, ['bin/resetd.js', role], {
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // The process says it started (one JSON line) or dies trying.
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`resetd ${role} did not start:\n${output}`)), 20_000);
    const check = () => {
      if (output.includes('"resetd.started"')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`resetd ${role} exited with ${code}:\n${output}`));
    });
  });
  const url = port ? `http://127.0.0.1:${port}` : '';
  if (url) {
    checkResponsesFrom(url);
    void exited.then(() => stopCheckingResponsesFrom(url));
  }
  return {
    child,
    url,
    output: () => output,
    async kill(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}
