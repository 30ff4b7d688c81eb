import { spawn } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { networkInterfaces } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestResetd } from '../support/resetd.ts';
import { freePort } from '../support/ports.ts';
import { tempDir } from '../support/temp-dir.ts';
import { capturingLogger } from '../support/logs.ts';
import { checkResponsesFrom, stopCheckingResponsesFrom } from '../support/spec-checked.ts';

/**
 * The dev mailbox shows reset links to whoever reaches the port, so by default resetd
 * keeps it, and itself, on loopback; and a resetd that cannot start says so in its exit code.
 */
const dir = tempDir('dev-mailbox');
afterAll(() => dir.remove());

// What the test runner's own environment might set must not decide these defaults.
const UNSET = ['HOST', 'PORT', 'SMTP_URL', 'DEV_MAILBOX', 'NODE_ENV', 'RESETD_CONFIG', 'RESETD_WORKER'];
function cleanEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !UNSET.includes(name)));
  return { ...base, DATABASE_URL: `sqlite:${dir.file(`${Math.random().toString(36).slice(2)}.db`)}`, ...env };
}

/** `node bin/resetd.js …` as an operator runs it; resolves when it exits, or when it has started. */
function runResetd(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, ['bin/resetd.js', ...args], { env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const outcome = new Promise<{ started: boolean; code: number | null; output: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`resetd ${args.join(' ')} neither started nor exited:\n${output}`)), 20_000);
    child.stdout.on('data', () => {
      if (output.includes('"resetd.started"')) {
        clearTimeout(timer);
        // Where it says it listens: its answers are checked against the spec while it runs.
        const url = /"url":"([^"]+)"/.exec(output)?.[1];
        if (url) {
          checkResponsesFrom(url);
          void exited.then(() => stopCheckingResponsesFrom(url));
        }
        resolve({ started: true, code: null, output });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      resolve({ started: false, code, output });
    });
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  return { outcome, stop };
}

/** Whether a TCP connection to host:port is accepted. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 2_000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** This machine's own addresses beyond loopback (none in some sandboxes). */
const outward = Object.values(networkInterfaces()).flat().filter((a) => a && !a.internal && a.family === 'IPv4').map((a) => a!.address);

describe('with no settings, resetd listens on loopback with the dev mailbox', () => {
  it('`resetd serve` without HOST or SMTP_URL answers on 127.0.0.1 and shows /dev/mailbox', async () => {
    const port = await freePort();
    const run = runResetd(['serve'], { PORT: String(port) });
    try {
      const { started, output } = await run.outcome;
      expect(started, output).toBe(true);
      expect(output).toContain(`"url":"http://127.0.0.1:${port}"`);
      expect(output).not.toContain('reachable from the network');
      expect((await fetch(`http://127.0.0.1:${port}/dev/mailbox`)).status).toBe(200);
      for (const address of outward) expect(await accepts(address, port), `reachable at ${address}`).toBe(false);
    } finally {
      await run.stop();
    }
  });
});

describe('DEV_MAILBOX=on beyond loopback', () => {
  it('starts with the dev mailbox and warns that it is reachable from the network', async () => {
    const { log, lines } = capturingLogger();
    const resetd = await startTestResetd({ HOST: '0.0.0.0', DEV_MAILBOX: 'on' }, { log });
    try {
      expect(resetd.mailbox).not.toBeNull();
      expect((await fetch(`${resetd.url}/dev/mailbox`)).status).toBe(200);
      expect(lines).toContainEqual(expect.objectContaining({ level: 'warn', fields: expect.objectContaining({ warning: 'dev mailbox is reachable from the network', host: '0.0.0.0' }) }));
    } finally {
      await resetd.dispose();
    }
  });

  it('on loopback there is no such warning', async () => {
    const { log, lines } = capturingLogger();
    const resetd = await startTestResetd({ HOST: '127.0.0.1' }, { log });
    try {
      expect(resetd.mailbox).not.toBeNull();
      expect(lines.filter((line) => line.level !== 'info')).toEqual([]);
    } finally {
      await resetd.dispose();
    }
  });
});

describe('a resetd that cannot start exits non-zero', () => {
  it('`resetd worker` without SMTP_URL exits 2 naming SMTP_URL', async () => {
    const { started, code, output } = await runResetd(['worker'], {}).outcome;
    expect(started).toBe(false);
    expect(code).toBe(2);
    expect(output).toMatch(/SMTP_URL: must be set for a separate worker/);
  });

  it('`resetd serve` in production without SMTP_URL exits 2 naming SMTP_URL', async () => {
    const { started, code, output } = await runResetd(['serve'], { NODE_ENV: 'Production', PORT: '0' }).outcome;
    expect(started).toBe(false);
    expect(code).toBe(2);
    expect(output).toMatch(/SMTP_URL: must be set in production/);
  });

  it('`resetd serve` on HOST=0.0.0.0 without SMTP_URL or DEV_MAILBOX exits 2 naming HOST and SMTP_URL', async () => {
    const { started, code, output } = await runResetd(['serve'], { HOST: '0.0.0.0', PORT: '0' }).outcome;
    expect(started).toBe(false);
    expect(code).toBe(2);
    expect(output).toMatch(/SMTP_URL: must be set when HOST=0\.0\.0\.0 listens beyond loopback \(or set DEV_MAILBOX=on/);
  });

  it('`resetd serve` with DEV_MAILBOX=on in production exits 2 naming both settings', async () => {
    const { started, code, output } = await runResetd(['serve'], { DEV_MAILBOX: 'on', NODE_ENV: 'production', PORT: '0' }).outcome;
    expect(started).toBe(false);
    expect(code).toBe(2);
    expect(output).toMatch(/DEV_MAILBOX: must not be on when NODE_ENV=production/);
  });

  it('`resetd serve` on a port already taken exits 1', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      const { started, code, output } = await runResetd(['serve'], { HOST: '127.0.0.1', PORT: String(port) }).outcome;
      expect(started).toBe(false);
      expect(code, output).toBe(1);
      expect(output).toMatch(/EADDRINUSE/);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});
