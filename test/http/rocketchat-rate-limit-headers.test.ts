import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestResetd } from '../support/resetd.ts';
import { startTestResetd } from '../support/resetd.ts';
import { postJson } from '../support/tokens.ts';

/**
 * Rocket.Chat's REST API (ApiClass.ts) sets X-RateLimit-Limit, -Remaining and -Reset on
 * every answer of a rate-limited endpoint, not only on its 429; so does resetd for
 * users.forgotPassword, from its per-address limit (RATE_LIMIT_IP).
 */
const rc = '/api/v1/users.forgotPassword';
const LIMIT = 4;

let limited: TestResetd;
let unlimited: TestResetd;

beforeAll(async () => {
  [limited, unlimited] = await Promise.all([
    startTestResetd({ RATE_LIMIT_IP: String(LIMIT), RESETD_WORKER: 'off' }),
    startTestResetd({ RATE_LIMIT_IP: '0', RESETD_WORKER: 'off' }),
  ]);
});
afterAll(() => Promise.all([limited, unlimited].map((instance) => instance?.dispose())));

const limitHeaders = (response: Response) => ({
  limit: response.headers.get('x-ratelimit-limit'),
  remaining: response.headers.get('x-ratelimit-remaining'),
  reset: response.headers.get('x-ratelimit-reset'),
});

describe('with a limit', () => {
  it('every answer carries the limit, Remaining counts down to 0 through 200, 400 and 413, and the 429 says when it starts over', async () => {
    const started = Date.now();
    const answers = [
      await postJson(limited, rc, { email: 'someone@example.com' }),
      await postJson(limited, rc, {}),
      await postJson(limited, rc, { email: 'someone@example.com', pad: 'x'.repeat(17 * 1024) }),
      await postJson(limited, rc, { email: 'someone@example.com' }),
      await postJson(limited, rc, { email: 'someone@example.com' }),
    ];
    expect(answers.map((response) => response.status)).toEqual([200, 400, 413, 200, 429]);
    expect(answers.map((response) => limitHeaders(response).limit)).toEqual(Array(5).fill(String(LIMIT)));
    expect(answers.map((response) => limitHeaders(response).remaining)).toEqual(['3', '2', '1', '0', '0']);

    // Reset: milliseconds since the epoch, when the minute's window started over; the same for every answer in it.
    const resets = answers.map((response) => Number(limitHeaders(response).reset));
    for (const reset of resets) {
      expect(Number.isInteger(reset)).toBe(true);
      expect(reset).toBeGreaterThan(started);
      expect(reset).toBeLessThanOrEqual(Date.now() + 60_000);
      expect(Math.abs(reset - resets[0]!)).toBeLessThan(1_000);
    }

    const tooMany = answers[4]!;
    expect(Number(tooMany.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await tooMany.json()).toEqual({
      success: false,
      error: `Error, too many requests. Please slow down. You must wait ${tooMany.headers.get('retry-after')} seconds before trying this endpoint again. [error-too-many-requests]`,
    });
  });

  it('other products’ endpoints carry no X-RateLimit headers', async () => {
    const response = await postJson(limited, '/api/v4/user/reset', { email: 'someone@example.com' });
    expect(response.status).toBe(200);
    expect(limitHeaders(response)).toEqual({ limit: null, remaining: null, reset: null });
  });
});

describe('without a limit (RATE_LIMIT_IP=0)', () => {
  it('answers carry no X-RateLimit headers', async () => {
    for (const body of [{ email: 'someone@example.com' }, {}]) {
      const response = await postJson(unlimited, rc, body);
      expect([200, 400]).toContain(response.status);
      expect(limitHeaders(response)).toEqual({ limit: null, remaining: null, reset: null });
    }
  });
});
