import { describe, expect, it } from 'vitest';
import { ConfigError } from '../src/config.ts';
import { startSmtpSink } from './support/smtp-sink.ts';
import { startTestResetd } from './support/resetd.ts';

/** The dev mailbox holds live reset links: it exists only in development without SMTP. */
describe('the dev mailbox is off', () => {
  it('in production mode, where resetd refuses to start without SMTP', async () => {
    await expect(startTestResetd({ NODE_ENV: 'production' })).rejects.toThrow(ConfigError);
    await expect(startTestResetd({ NODE_ENV: 'production' })).rejects.toThrow(/SMTP_URL/);
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
