import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { PRODUCTION_NODE_FLAGS } from '../../scripts/bench/bench-resetd.ts';
import { loadConfig, SETTING_NAMES } from '../../src/config.ts';
import { tempDir } from '../support/temp-dir.ts';

/**
 * The deployment files (deploy/compose.yaml, Dockerfile, deploy/resetd.service) name only
 * settings resetd knows, with values it accepts, and their parts point at each other: a
 * misspelt setting is silently ignored at start, so only a test notices it.
 */
const SAMPLE_SECRET = 'a-sample-admin-token-0123456789abcdef';
const dir = tempDir('deploy');
afterAll(() => dir.remove());

interface ComposeService {
  image?: string;
  build?: unknown;
  ports?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  stop_grace_period?: string;
}

/** Compose's `${NAME}`, `${NAME:-default}` and `${NAME:?message}`, filled from `vars`. */
function interpolate(value: string, vars: Record<string, string>): string {
  return value.replace(/\$\{(\w+)(?::?([-?])([^}]*))?\}/g, (_, name: string, kind?: string, rest?: string) => {
    if (vars[name] !== undefined) return vars[name];
    if (kind === '-') return rest ?? '';
    throw new Error(`compose.yaml needs ${name}: ${rest ?? ''}`);
  });
}

const compose = parse(readFileSync('deploy/compose.yaml', 'utf8')) as { services: Record<string, ComposeService> };
const services = compose.services;
const [resetdName, resetd] = Object.entries(services).find(([, service]) => service.build !== undefined)!;
const environment = Object.fromEntries(
  Object.entries(resetd.environment ?? {}).map(([name, value]) => [name, interpolate(String(value), { RESETD_ADMIN_TOKEN: SAMPLE_SECRET })]),
);
const serviceWithImage = (prefix: string) => Object.entries(services).find(([, service]) => service.image?.startsWith(prefix));
const seconds = (duration: string) => Number(/^(\d+)s$/.exec(duration)?.[1] ?? Number.NaN);

describe('deploy/compose.yaml', () => {
  it('sets only settings resetd knows, with values it accepts', () => {
    expect(resetdName).toBe('resetd');
    expect(Object.keys(environment).filter((name) => !SETTING_NAMES.includes(name))).toEqual([]);
    const config = loadConfig(environment);
    expect(config.production).toBe(true);
    expect(config.adminToken).toBe(SAMPLE_SECRET);
  });

  it('needs RESETD_ADMIN_TOKEN from the operator instead of shipping one', () => {
    expect(() => interpolate(String(resetd.environment!.RESETD_ADMIN_TOKEN), {})).toThrow(/RESETD_ADMIN_TOKEN/);
  });

  it('points DATABASE_URL at the postgres service, with its user, password and database, once it is healthy', () => {
    const [name, postgres] = serviceWithImage('postgres:')!;
    const url = new URL(environment.DATABASE_URL!);
    expect(url.protocol).toBe('postgres:');
    expect(url.hostname).toBe(name);
    expect(url.port || '5432').toBe('5432');
    expect(decodeURIComponent(url.username)).toBe(postgres.environment!.POSTGRES_USER);
    expect(decodeURIComponent(url.password)).toBe(postgres.environment!.POSTGRES_PASSWORD);
    expect(url.pathname.slice(1)).toBe(postgres.environment!.POSTGRES_DB);
    expect(postgres.healthcheck?.test).toContain('pg_isready');
    expect(resetd.depends_on?.[name]?.condition).toBe('service_healthy');
  });

  it('points SMTP_URL at the mail catcher on its SMTP port', () => {
    const [name, mailpit] = serviceWithImage('axllent/mailpit')!;
    const url = new URL(environment.SMTP_URL!);
    expect(url.hostname).toBe(name);
    // Mailpit takes SMTP on 1025 unless MP_SMTP_BIND_ADDR says otherwise.
    expect(url.port).toBe(mailpit.environment?.MP_SMTP_BIND_ADDR?.split(':').pop() ?? '1025');
    expect(resetd.depends_on?.[name]).toBeDefined();
  });

  it("publishes the port resetd listens on (PORT), and waits for resetd's graceful stop", () => {
    const config = loadConfig(environment);
    const containerPorts = (resetd.ports ?? []).map((mapping) => Number(String(mapping).split(':').pop()));
    expect(containerPorts).toEqual([config.port]);
    // The stop margin in src/main.ts: closing the pools may take 5 s after SHUTDOWN_TIMEOUT.
    expect(seconds(resetd.stop_grace_period ?? '10s')).toBeGreaterThan(config.shutdownTimeoutSeconds + 5);
  });
});

describe('Dockerfile', () => {
  const dockerfile = readFileSync('Dockerfile', 'utf8');
  const finalStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));

  it('sets only settings resetd knows, exposes PORT and checks /healthz', () => {
    const env = Object.fromEntries([...finalStage.matchAll(/^ENV (.+)$/gm)].flatMap((m) => m[1]!.split(/\s+/).map((pair) => pair.split('=') as [string, string])));
    expect(Object.keys(env).filter((name) => !SETTING_NAMES.includes(name))).toEqual([]);
    const config = loadConfig(env);
    expect(finalStage).toMatch(new RegExp(`^EXPOSE ${config.port}$`, 'm'));
    expect(finalStage).toMatch(/^HEALTHCHECK .*\n?.*\/healthz/m);
  });

  it('runs as an unprivileged user, the compiled build with production dependencies only', () => {
    expect(finalStage).toMatch(/^USER node$/m);
    expect(finalStage).toMatch(/^COPY --from=build \/src\/dist dist$/m);
    expect(dockerfile).toMatch(/^RUN npm ci --omit=dev/m);
    // bin/resetd.js builds only where scripts/build.mjs is: not in the image.
    expect(finalStage).not.toMatch(/^COPY .*scripts/m);
  });
});

describe('deploy/resetd.service', () => {
  const unit = readFileSync('deploy/resetd.service', 'utf8');
  const values = (key: string) => [...unit.matchAll(new RegExp(`^${key}=(.*)$`, 'gm'))].map((m) => m[1]!);

  it('sets only settings resetd knows, with values it accepts, and waits for the graceful stop', () => {
    const env = Object.fromEntries(values('Environment').map((line) => line.split(/=(.*)/s).slice(0, 2) as [string, string]));
    expect(Object.keys(env).filter((name) => !SETTING_NAMES.includes(name))).toEqual([]);
    const config = loadConfig(env);
    expect(config.databaseUrl).toMatch(/^sqlite:\/var\/lib\/resetd\//);
    expect(values('StateDirectory')).toEqual(['resetd']);
    expect(seconds(values('TimeoutStopSec')[0]!)).toBeGreaterThan(config.shutdownTimeoutSeconds + 5);
    expect(values('ExecStart')[0]).toMatch(/ \/opt\/resetd\/dist\/src\/main\.js$/);
  });

  const analyze = spawnSync('systemd-analyze', ['--version']).status === 0;
  if (!analyze) console.log('deploy/resetd.service: systemd-analyze is not installed (apt-get install systemd): its checks are skipped');

  /** The unit with ExecStart's node replaced by this one, so that verify finds the program on any machine. */
  function unitHere(): string {
    const path = dir.file('resetd.service');
    writeFileSync(path, unit.replace(/^ExecStart=\S+/m, `ExecStart=${process.execPath}`));
    return path;
  }

  it.skipIf(!analyze)('passes systemd-analyze verify without a warning', () => {
    const result = spawnSync('systemd-analyze', ['verify', unitHere()], { encoding: 'utf8' });
    // verify exits 0 on an unknown key or a bad value: it only warns, on stderr.
    expect(`${result.stdout}${result.stderr}`.trim()).toBe('');
    expect(result.status).toBe(0);
  });

  it.skipIf(!analyze)('is hardened: systemd-analyze security rates its exposure 2.0 or less (out of 10)', () => {
    // The threshold counts tenths: 20 is an exposure of 2.0; the command fails above it.
    const output = execFileSync('systemd-analyze', ['security', '--offline=true', '--threshold=20', unitHere()], { encoding: 'utf8' });
    expect(output).toMatch(/Overall exposure level for resetd\.service: [0-2]\.\d/);
  });
});

// A node flag that only works on node's command line (--max-semi-space-size) is spelled in
// npm start, the image and the unit: one left behind would run production differently.
// npm start's flags as the benchmarks read them (PRODUCTION_NODE_FLAGS), so this pins that read too.
describe("node's flags", () => {
  const flags = (command: string) => command.split(/[\s",[\]]+/).filter((word) => word.startsWith('--'));

  it('the image and the systemd unit run node with the flags npm start passes', () => {
    expect(PRODUCTION_NODE_FLAGS).not.toEqual([]);
    expect(flags(/^ENTRYPOINT (.*)$/m.exec(readFileSync('Dockerfile', 'utf8'))![1]!)).toEqual(PRODUCTION_NODE_FLAGS);
    expect(flags(/^ExecStart=(.*)$/m.exec(readFileSync('deploy/resetd.service', 'utf8'))![1]!)).toEqual(PRODUCTION_NODE_FLAGS);
  });
});
