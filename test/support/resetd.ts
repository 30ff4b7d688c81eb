import { loadConfig } from '../../src/config.ts';
import type { Resetd, StartOptions } from '../../src/main.ts';
import { startResetd } from '../../src/main.ts';
import { silentLogger } from '../../src/log/logger.ts';
import { checkResponsesFrom, stopCheckingResponsesFrom } from './spec-checked.ts';
import type { TestDatabase } from './test-store.ts';
import { newTestDatabase } from './test-store.ts';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';

export interface TestResetd extends Resetd {
  /** Its database, whichever store the suite runs on. */
  database: TestDatabase;
  /** Stops the instance and deletes its database. */
  dispose(): Promise<void>;
}

/** A clock a test can move forward. */
export function movableClock() {
  let offsetMs = 0;
  return {
    now: () => new Date(Date.now() + offsetMs),
    advance(ms: number) {
      offsetMs += ms;
    },
  };
}

/**
 * A real resetd on a free loopback port with a database of its own (see test-store.ts). Every
 * response a test fetches from it is checked against the spec (check-every-response.ts).
 */
export async function startTestResetd(env: Record<string, string> = {}, options: StartOptions = {}): Promise<TestResetd> {
  const database = newTestDatabase();
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    PUBLIC_URL: 'https://reset.example.test',
    DATABASE_URL: database.url,
    RESETD_ADMIN_TOKEN: ADMIN_TOKEN,
    MAIL_RETRY_BASE_MS: '50',
    // Tests send many requests from one address for one account; the limits have tests of their own.
    RATE_LIMIT_IP: '0',
    RATE_LIMIT_EMAIL_PER_MINUTE: '0',
    RATE_LIMIT_EMAIL_PER_HOUR: '0',
    ...env,
  });
  let resetd: Resetd;
  try {
    resetd = await startResetd(config, { log: silentLogger, ...options });
  } catch (error) {
    await database.drop();
    throw error;
  }
  if (resetd.url) checkResponsesFrom(resetd.url);
  let disposed = false;
  return {
    ...resetd,
    database,
    async dispose() {
      if (disposed) return;
      disposed = true;
      if (resetd.url) stopCheckingResponsesFrom(resetd.url);
      await resetd.stop().catch(() => {});
      await database.drop();
    },
  };
}
