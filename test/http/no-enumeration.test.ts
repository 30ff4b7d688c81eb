import { afterEach, describe, expect, it } from 'vitest';
import type { TestResetd } from '../support/resetd.ts';
import { startTestResetd } from '../support/resetd.ts';
import { postJson } from '../support/tokens.ts';
import { outboxSettled as settle } from '../support/waiting.ts';
import { addUser } from '../support/admin.ts';
import { freePort } from '../support/ports.ts';

/**
 * Nobody learns an account's existence or state from the answer: registered, unknown,
 * disabled, over its mail limit, or with the mail server down, every request gets the
 * same status, headers and body.
 */
const running: TestResetd[] = [];
afterEach(async () => {
  while (running.length) await running.pop()!.dispose();
});

async function answer(resetd: TestResetd, email: string): Promise<string> {
  const response = await postJson(resetd, '/api/v1/users.forgotPassword', { email });
  // Every answer has a request id of its own: compared by its form, a UUID, not its value.
  const form = (name: string, value: string) => (name === 'x-request-id' && /^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$/.test(value) ? '<uuid>' : value);
  const headers = [...response.headers].filter(([name]) => !['date', 'content-length'].includes(name)).map(([n, v]) => `${n}: ${form(n, v)}`);
  return `${response.status}\n${headers.sort().join('\n')}\n${await response.text()}`;
}


describe('no enumeration', () => {
  it('a disabled account is answered like everyone else, and gets no mail', async () => {
    const resetd = await startTestResetd({});
    running.push(resetd);
    await addUser(resetd, 'active@example.com');
    await addUser(resetd, 'banned@example.com', { disabled: true });
    const answers = new Set([await answer(resetd, 'active@example.com'), await answer(resetd, 'banned@example.com'), await answer(resetd, 'nobody@example.com')]);
    expect(answers.size).toBe(1);
    await settle(resetd);
    expect(resetd.mailbox!.list().map((mail) => mail.to)).toEqual(['active@example.com']);
  });

  it('with the mail server down, a registered and an unknown address are answered alike', async () => {
    const resetd = await startTestResetd({ SMTP_URL: `smtp://127.0.0.1:${await freePort()}` });
    running.push(resetd);
    await addUser(resetd, 'waiting@example.com');
    expect(await answer(resetd, 'waiting@example.com')).toBe(await answer(resetd, 'nobody@example.com'));
  });

  it('an account over its mail limit is answered like one under it', async () => {
    const resetd = await startTestResetd({ RATE_LIMIT_EMAIL_PER_MINUTE: '1' });
    running.push(resetd);
    await addUser(resetd, 'busy@example.com');
    const first = await answer(resetd, 'busy@example.com');
    await settle(resetd);
    expect(await answer(resetd, 'busy@example.com')).toBe(first);
    expect(await answer(resetd, 'nobody@example.com')).toBe(first);
  });
});
