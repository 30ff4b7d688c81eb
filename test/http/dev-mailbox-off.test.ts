import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config.ts';
import { startSmtpSink } from '../support/smtp-sink.ts';
import { startTestResetd } from '../support/resetd.ts';

/** The dev mailbox holds live reset links: it exists only in development without SMTP, on loopback. */
describe('the dev mailbox is off', () => {
  it('in production mode, where resetd refuses to start without SMTP', async () => {
    await expect(startTestResetd({ NODE_ENV: 'production' })).rejects.toThrow(ConfigError);
    await expect(startTestResetd({ NODE_ENV: 'production' })).rejects.toThrow(/SMTP_URL/);
  });

  it.each(['Production', ' PRODUCTION', 'production '])('in production written NODE_ENV=%j', async (nodeEnv) => {
    await expect(startTestResetd({ NODE_ENV: nodeEnv })).rejects.toThrow(/SMTP_URL: must be set in production/);
  });

  it.each(['0.0.0.0', '::'])('on HOST=%s without SMTP and without DEV_MAILBOX: start is refused, naming HOST and SMTP_URL', async (host) => {
    const attempt = startTestResetd({ HOST: host });
    await expect(attempt).rejects.toThrow(ConfigError);
    await expect(attempt).rejects.toThrow(new RegExp(`SMTP_URL: must be set when HOST=${host.replace(/\./g, '\\.')} listens beyond loopback`));
  });

  it('with DEV_MAILBOX=off, where resetd refuses to start without SMTP', async () => {
    await expect(startTestResetd({ DEV_MAILBOX: 'off' })).rejects.toThrow(/SMTP_URL: must be set when DEV_MAILBOX=off/);
  });

  it('whenever SMTP is configured, production or not', async () => {
    const sink = await startSmtpSink();
    const variants: Record<string, string>[] = [{ SMTP_URL: sink.url }, { SMTP_URL: sink.url, NODE_ENV: 'production' }];
    for (const env of variants) {
      const resetd = await startTestResetd({ ...env, RESETD_WORKER: 'off' });
      try {
        expect(resetd.mailbox).toBeNull();
        expect((await fetch(`${resetd.url}/dev/mailbox`)).status).toBe(404);
      } finally {
        await resetd.dispose();
      }
    }
    await sink.close();
  });
});
