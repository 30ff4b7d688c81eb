import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, mailDestinationProblem, SETTING_NAMES } from '../../src/config.ts';
import { tempDir } from '../support/temp-dir.ts';

/** The ConfigError that loading `env` throws; fails the test when loading succeeds. */
function configErrorOf(env: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`loadConfig(${JSON.stringify(env)}) did not throw`);
}

const configDir = tempDir('config');
afterAll(() => configDir.remove());

let fileCount = 0;
function configFile(settings: unknown): string {
  const path = configDir.file(`config-${++fileCount}.json`);
  writeFileSync(path, JSON.stringify(settings));
  return path;
}

describe('defaults: resetd starts with no settings at all', () => {
  const config = loadConfig({});

  it.each([
    ['PORT', () => config.port, 8080],
    ['HOST (loopback, without SMTP_URL)', () => config.host, '127.0.0.1'],
    ['DEV_MAILBOX (on, without SMTP_URL on loopback)', () => config.devMailbox, true],
    ['PUBLIC_URL', () => config.publicUrl, 'http://localhost:8080'],
    ['DATABASE_URL', () => config.databaseUrl, 'sqlite:./data/resetd.db'],
    ['SMTP_URL (the dev mailbox)', () => config.smtpUrl, null],
    ['MAIL_FROM', () => config.mailFrom, 'resetd <no-reply@localhost>'],
    ['RESETD_ADMIN_TOKEN (admin API off)', () => config.adminToken, null],
    ['RESET_TOKEN_TTL', () => config.tokenTtlSeconds, 1800],
    ['RATE_LIMIT_IP', () => config.rateLimitIp, 30],
  ] as const)('%s has its documented default', (_name, value, expected) => {
    expect(value()).toEqual(expected);
  });

  it('all five dialects are enabled', () => {
    expect([...config.dialects].sort()).toEqual(['cloudreve', 'maiascore', 'quickblox', 'rocketchat', 'unleash']);
  });

  it('no proxy is trusted', () => {
    expect(config.trustedProxies).toEqual([]);
  });

  it('an empty value counts as unset', () => {
    expect(loadConfig({ PORT: '', SMTP_URL: '', RESETD_DIALECTS: '' })).toMatchObject({ port: 8080, smtpUrl: null });
    expect(loadConfig({ RESETD_DIALECTS: '' }).dialects.size).toBe(5);
  });
});

describe('set values are read', () => {
  it('the default PUBLIC_URL follows PORT', () => {
    const config = loadConfig({ PORT: '9090' });
    expect(config.port).toBe(9090);
    expect(config.publicUrl).toBe('http://localhost:9090');
  });

  it('an explicit PUBLIC_URL wins over the one PORT implies, without a trailing slash', () => {
    expect(loadConfig({ PORT: '9090', PUBLIC_URL: 'https://reset.example.com/' }).publicUrl).toBe(
      'https://reset.example.com',
    );
  });

  it('RESETD_DIALECTS enables only the dialects named', () => {
    expect([...loadConfig({ RESETD_DIALECTS: 'unleash, quickblox' }).dialects].sort()).toEqual(['quickblox', 'unleash']);
  });

  it('TRUSTED_PROXIES takes addresses and CIDR ranges', () => {
    expect(loadConfig({ TRUSTED_PROXIES: '10.0.0.0/8, 127.0.0.1,::1' }).trustedProxies).toEqual([
      '10.0.0.0/8',
      '127.0.0.1',
      '::1',
    ]);
  });

  it('RATE_LIMIT_IP=0 turns the limit off instead of falling back to the default', () => {
    expect(loadConfig({ RATE_LIMIT_IP: '0' }).rateLimitIp).toBe(0);
  });

  it('SMTP_URL, admin token and token lifetime are taken as given', () => {
    const config = loadConfig({
      SMTP_URL: 'smtp://user:pass@mail.example.com:587',
      RESETD_ADMIN_TOKEN: 'a-long-enough-admin-token',
      RESET_TOKEN_TTL: '600',
    });
    expect(config).toMatchObject({
      smtpUrl: 'smtp://user:pass@mail.example.com:587',
      adminToken: 'a-long-enough-admin-token',
      tokenTtlSeconds: 600,
    });
  });
});

describe('a bad value stops resetd with a message naming the setting', () => {
  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['PUBLIC_URL', 'ftp://x'],
    ['PUBLIC_URL', 'not a url'],
    ['RESETD_DIALECTS', 'rocketchat,nope'],
    ['RESET_TOKEN_TTL', '-5'],
    ['RESET_TOKEN_TTL', '1.5'],
    ['RATE_LIMIT_IP', 'lots'],
    ['TRUSTED_PROXIES', 'not-an-ip'],
    ['SMTP_URL', 'http://x'],
    ['RESETD_ADMIN_TOKEN', 'short'],
    ['MAIL_FROM', 'resetd <no-reply@localhost'],
    ['DEV_MAILBOX', 'maybe'],
  ])('%s=%s is refused', (name, value) => {
    const error = configErrorOf({ [name]: value });
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatch(new RegExp(`^${name}: `));
    expect(error.message).toContain(name);
  });

  it('an unknown dialect is named in the message', () => {
    expect(configErrorOf({ RESETD_DIALECTS: 'rocketchat,nope' }).message).toContain('nope');
  });

  it('every bad value is reported at once, not only the first', () => {
    const error = configErrorOf({
      PORT: 'abc',
      PUBLIC_URL: 'ftp://x',
      RESETD_DIALECTS: 'rocketchat,nope',
      RESET_TOKEN_TTL: '-5',
      TRUSTED_PROXIES: 'not-an-ip',
      SMTP_URL: 'http://x',
      RESETD_ADMIN_TOKEN: 'short',
    });
    const named = error.problems.map((problem) => problem.split(':')[0]).sort();
    expect(named).toEqual([
      'PORT',
      'PUBLIC_URL',
      'RESETD_ADMIN_TOKEN',
      'RESETD_DIALECTS',
      'RESET_TOKEN_TTL',
      'SMTP_URL',
      'TRUSTED_PROXIES',
    ]);
    for (const name of named) expect(error.message).toContain(name);
  });

  it('a good value beside a bad one does not hide the bad one', () => {
    const error = configErrorOf({ PORT: '9090', RESET_TOKEN_TTL: '-5' });
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatch(/^RESET_TOKEN_TTL: /);
  });

  it('a bad secret (RESETD_ADMIN_TOKEN, SMTP_URL with a password) is not echoed back in the message', () => {
    const attempt = () => loadConfig({ RESETD_ADMIN_TOKEN: 'hunter2', SMTP_URL: 'http://user:s3cret@mail' });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/RESETD_ADMIN_TOKEN/);
    expect(attempt).toThrow(/SMTP_URL/);
    expect(attempt).not.toThrow(/hunter2|s3cret/);
  });

  it('an empty dialect list is refused rather than turning every dialect off', () => {
    expect(() => loadConfig({ RESETD_DIALECTS: ',' })).toThrow(/RESETD_DIALECTS/);
  });

  it('an empty variable does not hide the config file', () => {
    const path = configFile({ PORT: 9191 });
    expect(loadConfig({ RESETD_CONFIG: path, PORT: '' }).port).toBe(9191);
  });
});

describe('HOST and the dev mailbox: reset links readable without login stay on this machine by default', () => {
  const SMTP = 'smtp://mail.example.com:587';

  it('with SMTP_URL, HOST defaults to every interface and the dev mailbox is off', () => {
    expect(loadConfig({ SMTP_URL: SMTP })).toMatchObject({ host: '0.0.0.0', devMailbox: false });
  });

  it.each(['127.0.0.1', '127.8.9.10', '::1', 'localhost', 'LocalHost', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1'])('on loopback HOST=%s the dev mailbox is on', (host) => {
    expect(loadConfig({ HOST: host }).devMailbox).toBe(true);
  });

  it.each(['0.0.0.0', '::', '192.168.1.10', '10.0.0.1', 'reset.example.com', '128.0.0.1'])('on HOST=%s the dev mailbox is off unless asked for', (host) => {
    expect(loadConfig({ HOST: host }).devMailbox).toBe(false);
    expect(loadConfig({ HOST: host, DEV_MAILBOX: 'on' }).devMailbox).toBe(true);
  });

  it('beyond loopback without SMTP_URL, start is refused naming HOST and SMTP_URL', () => {
    const problem = mailDestinationProblem(loadConfig({ HOST: '0.0.0.0' }), 'serve');
    expect(problem).toMatch(/^SMTP_URL: /);
    expect(problem).toContain('HOST=0.0.0.0');
    expect(problem).toContain('DEV_MAILBOX=on');
  });

  it('SMTP_URL, or the dev mailbox when asked for, is somewhere for mail to go', () => {
    expect(mailDestinationProblem(loadConfig({ HOST: '0.0.0.0', SMTP_URL: SMTP }), 'serve')).toBeNull();
    expect(mailDestinationProblem(loadConfig({ HOST: '0.0.0.0', DEV_MAILBOX: 'on' }), 'serve')).toBeNull();
    expect(mailDestinationProblem(loadConfig({}), 'serve')).toBeNull();
  });

  it('a separate worker needs SMTP_URL even where the dev mailbox is on', () => {
    expect(mailDestinationProblem(loadConfig({}), 'worker')).toMatch(/^SMTP_URL: must be set for a separate worker/);
  });

  it('DEV_MAILBOX=off turns it off on loopback too, and then SMTP_URL is required', () => {
    const config = loadConfig({ DEV_MAILBOX: 'off' });
    expect(config.devMailbox).toBe(false);
    expect(mailDestinationProblem(config, 'serve')).toMatch(/^SMTP_URL: .*DEV_MAILBOX=off/);
  });

  it('DEV_MAILBOX=on in production is refused naming both settings', () => {
    const error = configErrorOf({ DEV_MAILBOX: 'on', NODE_ENV: 'production' });
    expect(error.problems).toEqual([expect.stringMatching(/^DEV_MAILBOX: .*NODE_ENV=production/)]);
  });

  it('DEV_MAILBOX=on beside SMTP_URL is refused naming both settings', () => {
    expect(configErrorOf({ DEV_MAILBOX: 'on', SMTP_URL: SMTP }).problems).toEqual([expect.stringMatching(/^DEV_MAILBOX: .*SMTP_URL/)]);
  });

  it.each(['production', 'Production', 'PRODUCTION', ' production', 'production\n'])('NODE_ENV=%j is production: no dev mailbox', (value) => {
    const config = loadConfig({ NODE_ENV: value });
    expect(config).toMatchObject({ production: true, devMailbox: false });
    expect(mailDestinationProblem(config, 'serve')).toMatch(/^SMTP_URL: must be set in production/);
  });

  it.each(['development', 'test', 'prod', 'productions'])('NODE_ENV=%j is not production', (value) => {
    expect(loadConfig({ NODE_ENV: value })).toMatchObject({ production: false, devMailbox: true });
  });

  it('HOST and DEV_MAILBOX are settings a config file may set', () => {
    expect(SETTING_NAMES).toEqual(expect.arrayContaining(['HOST', 'DEV_MAILBOX']));
    expect(loadConfig({ RESETD_CONFIG: configFile({ HOST: '0.0.0.0', DEV_MAILBOX: 'on' }) })).toMatchObject({ host: '0.0.0.0', devMailbox: true });
  });
});

describe('RESETD_CONFIG names a JSON file that may set the same keys', () => {
  it('the file sets settings', () => {
    const path = configFile({ PORT: 9191, MAIL_FROM: 'Reset <reset@example.com>', RESETD_DIALECTS: 'cloudreve' });
    const config = loadConfig({ RESETD_CONFIG: path });
    expect(config.port).toBe(9191);
    expect(config.publicUrl).toBe('http://localhost:9191');
    expect(config.mailFrom).toBe('Reset <reset@example.com>');
    expect([...config.dialects]).toEqual(['cloudreve']);
  });

  it('the environment overrides the file', () => {
    const path = configFile({ PORT: 9191, RESET_TOKEN_TTL: 600 });
    const config = loadConfig({ RESETD_CONFIG: path, PORT: '7070' });
    expect(config.port).toBe(7070);
    expect(config.tokenTtlSeconds).toBe(600);
  });

  it('an unknown key in the file is reported by name', () => {
    const path = configFile({ PORT: 9191, PROT: 9292 });
    const error = configErrorOf({ RESETD_CONFIG: path });
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatch(/^RESETD_CONFIG: /);
    expect(error.problems[0]).toContain('PROT');
    expect(error.problems[0]).toContain(path);
  });

  it('a bad value in the file is reported under its setting name', () => {
    const error = configErrorOf({ RESETD_CONFIG: configFile({ RESET_TOKEN_TTL: -5 }) });
    expect(error.problems).toEqual([expect.stringMatching(/^RESET_TOKEN_TTL: /)]);
  });

  it('a bad value in the file and one in the environment are reported together', () => {
    const error = configErrorOf({ RESETD_CONFIG: configFile({ PORT: 'abc', NOPE: 1 }), SMTP_URL: 'http://x' });
    expect(error.problems).toHaveLength(3);
    expect(error.message).toContain('NOPE');
    expect(error.message).toMatch(/PORT: /);
    expect(error.message).toMatch(/SMTP_URL: /);
  });

  it('a file that is not JSON is reported', () => {
    const path = configDir.file('broken.json');
    writeFileSync(path, '{ PORT: 8080');
    expect(configErrorOf({ RESETD_CONFIG: path }).problems).toEqual([expect.stringMatching(/^RESETD_CONFIG: .*broken\.json/)]);
  });

  it('a missing file is reported', () => {
    const path = configDir.file('missing.json');
    expect(configErrorOf({ RESETD_CONFIG: path }).problems).toEqual([expect.stringMatching(/^RESETD_CONFIG: .*missing\.json/)]);
  });

  it('a file holding something other than an object is reported', () => {
    expect(configErrorOf({ RESETD_CONFIG: configFile(['PORT', 8080]) }).problems).toEqual([
      expect.stringMatching(/^RESETD_CONFIG: /),
    ]);
  });

  it('a nested value in the file is reported', () => {
    expect(configErrorOf({ RESETD_CONFIG: configFile({ PORT: { value: 1 } }) }).message).toMatch(/PORT/);
  });
});

describe('API_KEYS_REQUIRED: which dialects need one of resetd’s API keys', () => {
  it('defaults to the dialects whose seeds document a key', () => {
    expect([...loadConfig({}).apiKeysRequired].sort()).toEqual(['maiascore', 'quickblox', 'unleash']);
  });

  it('takes a shorter list, or none', () => {
    expect([...loadConfig({ API_KEYS_REQUIRED: 'maiascore, quickblox' }).apiKeysRequired]).toEqual(['maiascore', 'quickblox']);
    expect(loadConfig({ API_KEYS_REQUIRED: 'none' }).apiKeysRequired.size).toBe(0);
  });

  it('a dialect without an API key scheme, or an unknown one, is named', () => {
    expect(configErrorOf({ API_KEYS_REQUIRED: 'rocketchat' }).problems[0]).toMatch(/^API_KEYS_REQUIRED: rocketchat has no API key to require/);
    expect(configErrorOf({ API_KEYS_REQUIRED: 'acme' }).problems[0]).toMatch(/^API_KEYS_REQUIRED: unknown dialect acme/);
  });
});

describe('METRICS_TOKEN, METRICS_PORT, METRICS_HOST: who may read /metrics, and where', () => {
  it('by default /metrics is off: no token, no port of its own, loopback if one is given', () => {
    const config = loadConfig({});
    expect([config.metricsToken, config.metricsPort, config.metricsHost]).toEqual([null, null, '127.0.0.1']);
  });

  it('takes a token, a port and a host', () => {
    const config = loadConfig({ METRICS_TOKEN: 'a-long-metrics-token', METRICS_PORT: '9464', METRICS_HOST: '0.0.0.0' });
    expect([config.metricsToken, config.metricsPort, config.metricsHost]).toEqual(['a-long-metrics-token', 9464, '0.0.0.0']);
  });

  it('a short token is refused without showing it', () => {
    const error = configErrorOf({ METRICS_TOKEN: 'short-secret' });
    expect(error.problems).toEqual(['METRICS_TOKEN: must be at least 16 characters (got a value that is not shown)']);
    expect(error.message).not.toContain('short-secret');
  });

  it('a port that is no port, or the main port, is named', () => {
    expect(configErrorOf({ METRICS_PORT: '70000' }).problems[0]).toMatch(/^METRICS_PORT: must be a whole number from 0 to 65535/);
    expect(configErrorOf({ PORT: '9000', METRICS_PORT: '9000' }).problems).toEqual([expect.stringMatching(/^METRICS_PORT: must differ from PORT \(9000\)/)]);
  });

  it('the config file may set them', () => {
    expect(loadConfig({ RESETD_CONFIG: configFile({ METRICS_PORT: 9464 }) }).metricsPort).toBe(9464);
  });
});
