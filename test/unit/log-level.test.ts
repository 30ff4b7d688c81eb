import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { readableLogs } from '../../src/log/logger.ts';
import { capturingLogger } from '../support/logs.ts';

/** LOG_LEVEL filters lines; LOG_FORMAT picks the output; secrets are redacted whatever a caller passes. */
const writeEveryLevel = (level: Parameters<typeof capturingLogger>[0]) => {
  const { log, lines } = capturingLogger(level);
  log.debug('a.debug');
  log.info('an.info');
  log.warn('a.warn');
  log.error('an.error');
  return lines.map((line) => line.level);
};

describe('LOG_LEVEL', () => {
  it.each([
    ['debug', ['debug', 'info', 'warn', 'error']],
    ['info', ['info', 'warn', 'error']],
    ['warn', ['warn', 'error']],
    ['error', ['error']],
    ['silent', []],
  ] as const)('%s writes only lines at least as severe', (level, written) => {
    expect(writeEveryLevel(level)).toEqual(written);
  });

  it('defaults to info, is read in any letter case, and refuses a level pino does not have', () => {
    expect(loadConfig({}).logLevel).toBe('info');
    expect(loadConfig({ LOG_LEVEL: 'DEBUG' }).logLevel).toBe('debug');
    expect(() => loadConfig({ LOG_LEVEL: 'verbose' })).toThrow(ConfigError);
    expect(() => loadConfig({ LOG_LEVEL: 'verbose' })).toThrow(/LOG_LEVEL: must be one of trace, debug, info, warn, error, fatal, silent \(got "verbose"\)/);
  });
});

describe('LOG_FORMAT', () => {
  it('auto is readable on a terminal outside production, JSON lines otherwise; json and pretty are as asked', () => {
    expect(loadConfig({}).logFormat).toBe('auto');
    expect(readableLogs({ format: 'auto', production: false }, true)).toBe(true);
    expect(readableLogs({ format: 'auto', production: true }, true)).toBe(false);
    expect(readableLogs({ format: 'auto', production: false }, false)).toBe(false);
    expect(readableLogs({ format: 'json', production: false }, true)).toBe(false);
    expect(readableLogs({ format: 'pretty', production: true }, false)).toBe(true);
    expect(() => loadConfig({ LOG_FORMAT: 'xml' })).toThrow(/LOG_FORMAT: must be one of auto, json, pretty/);
  });
});

describe('a line', () => {
  it('has the level as a word, an ISO time, the event, the fields, and a child’s bindings', () => {
    const { log, texts } = capturingLogger();
    log.child({ requestId: 'r-1' }).info('thing.done', { count: 2 });
    expect(JSON.parse(texts[0]!)).toMatchObject({ level: 'info', time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/), event: 'thing.done', requestId: 'r-1', count: 2 });
  });

  it('carries an error’s stack when it is passed as err', () => {
    const { log, lines } = capturingLogger();
    log.error('thing.failed', { err: new TypeError('the store is gone') });
    expect(lines[0]!.fields!.err).toEqual({ type: 'TypeError', message: 'the store is gone', stack: expect.stringMatching(/^TypeError: the store is gone\n\s+at /) });
  });

  it('never holds a secret-named field, at the top or inside headers, body or config; a URL loses its query', () => {
    const { log, texts } = capturingLogger();
    const secrets = ['pw-1', 'tok-2', 'sec-3', 'key-4', 'api-5', 'auth-6', 'cookie-7', 'link-8', 'q-9', 'hdr-10', 'body-11', 'frag-12', 'cfg-13'];
    log.warn('careless.caller', {
      password: 'pw-1',
      token: 'tok-2',
      secret: 'sec-3',
      key: 'key-4',
      apiKey: 'api-5',
      authorization: 'auth-6',
      cookie: 'cookie-7',
      link: 'https://reset.example.com/r/link-8',
      url: 'https://reset.example.com/reset?token=q-9',
      publicUrl: 'https://reset.example.com/base#frag-12',
      headers: { authorization: 'Bearer hdr-10', accept: 'text/html' },
      body: { password: 'body-11', email: 'kept' },
      config: { secret: 'cfg-13' },
    });
    const text = texts[0]!;
    for (const secret of secrets) expect(text).not.toContain(secret);
    expect(JSON.parse(text)).toMatchObject({
      password: '[redacted]',
      link: '[redacted]',
      url: 'https://reset.example.com/reset?[redacted]',
      publicUrl: 'https://reset.example.com/base#[redacted]',
      headers: { authorization: '[redacted]', accept: 'text/html' },
      body: { password: '[redacted]', email: 'kept' },
    });
  });

  it('keeps a URL without a query as it is', () => {
    const { log, lines } = capturingLogger();
    log.info('resetd.started', { url: 'http://127.0.0.1:8080', publicUrl: 'https://reset.example.com' });
    expect(lines[0]!.fields).toEqual({ url: 'http://127.0.0.1:8080', publicUrl: 'https://reset.example.com' });
  });
});
