import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestResetd } from '../support/resetd.ts';
import { startTestResetd } from '../support/resetd.ts';
import { mailsTo, postJson } from '../support/tokens.ts';
import { outboxSettled } from '../support/waiting.ts';
import { seed } from '../support/admin.ts';

/**
 * API_KEYS_REQUIRED decides which dialects need one of resetd's keys. Unleash's own front
 * end calls its forgot-password route with no Authorization header (the real route is
 * public); leaving unleash out of the list serves it, while a key that is sent is still
 * checked, and the other dialects keep requiring theirs.
 */
const KNOWN = 'keyless@example.com';
let open: TestResetd;
let keys: Awaited<ReturnType<typeof seed>>;

beforeAll(async () => {
  open = await startTestResetd({ API_KEYS_REQUIRED: 'maiascore,quickblox' });
  keys = await seed(open, [KNOWN]);
});
afterAll(() => open?.dispose());

const unleash = (headers: Record<string, string>, body: unknown = { email: KNOWN }) => postJson(open, '/auth/reset/password-email', body, headers);

describe('unleash left out of API_KEYS_REQUIRED', () => {
  it('takes a request with no key, as Unleash’s own front end sends it, and mails the account', async () => {
    const response = await unleash({});
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({});
    await outboxSettled(open);
    expect(mailsTo(open, KNOWN)).toHaveLength(1);
  });

  it('still refuses a key that is wrong', async () => {
    const response = await unleash({ authorization: 'rsd_unleash_not-a-key' });
    expect(response.status).toBe(401);
    expect((await response.json()).name).toBe('UnauthorizedError');
  });

  it('takes a right key too', async () => {
    expect((await unleash({ authorization: keys.unleash })).status).toBe(200);
  });

  it('still validates the body', async () => {
    expect((await unleash({}, {})).status).toBe(400);
  });

  it('the dialects still listed keep requiring a key, before the input is judged', async () => {
    const maiascore = await postJson(open, '/auth/forgot-password', {});
    expect(maiascore.status).toBe(403);
    const quickblox = await fetch(`${open.url}/users/password/reset.json?email=${encodeURIComponent(KNOWN)}`);
    expect(quickblox.status).toBe(401);
  });
});

describe('the default: keys required as the seeds document', () => {
  let strict: TestResetd;
  beforeAll(async () => {
    strict = await startTestResetd({});
  });
  afterAll(() => strict?.dispose());

  it('unleash without a key is refused, with or without a valid body', async () => {
    for (const body of [{ email: KNOWN }, {}]) {
      const response = await postJson(strict, '/auth/reset/password-email', body);
      expect(response.status).toBe(401);
      expect((await response.json()).name).toBe('AuthenticationRequired');
    }
  });
});
