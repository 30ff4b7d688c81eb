import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestResetd } from '../support/resetd.ts';
import { movableClock, startTestResetd } from '../support/resetd.ts';
import { postJson } from '../support/tokens.ts';
import { addUser } from '../support/admin.ts';

/** With CLOUDREVE_CAPTCHA=on, Cloudreve's reset request needs a correct, fresh, single-use CAPTCHA. */
let resetd: TestResetd;
const clock = movableClock();

beforeAll(async () => {
  resetd = await startTestResetd({ CLOUDREVE_CAPTCHA: 'on', RESETD_WORKER: 'off' }, { clock });
  await addUser(resetd, 'captcha@example.com');
});
afterAll(() => resetd?.dispose());

async function captcha(): Promise<{ image: string; ticket: string; answer: string }> {
  const response = await fetch(`${resetd.url}/api/v4/site/captcha`);
  const { code, data } = (await response.json()) as { code: number; data: { image: string; ticket: string } };
  expect(code).toBe(0);
  // The test reads the answer where resetd keeps it; a person reads it off the image.
  const hash = createHash('sha256').update(data.ticket).digest('hex');
  const [{ answer }] = (await resetd.database.query<{ answer: string }>('SELECT answer FROM captcha_tickets WHERE hash = ?', hash)) as [{ answer: string }];
  return { ...data, answer };
}

const reset = (body: Record<string, unknown>) => postJson(resetd, '/api/v4/user/reset', { email: 'captcha@example.com', ...body }).then((r) => r.json());

describe('Cloudreve CAPTCHA', () => {
  it('serves an image drawn locally, as an SVG data URI, with a ticket', async () => {
    const { image, ticket } = await captcha();
    expect(image).toMatch(/^data:image\/svg\+xml;base64,/);
    expect(Buffer.from(image.split(',')[1]!, 'base64').toString()).toMatch(/^<svg /);
    expect(ticket).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('a missing answer is refused with 40026', async () => {
    expect(await reset({})).toMatchObject({ code: 40026, msg: 'CAPTCHA not match.' });
  });

  it('the right answer, in any letter case, is accepted', async () => {
    const { ticket, answer } = await captcha();
    expect(await reset({ captcha: answer.toUpperCase(), ticket })).toEqual({ code: 0, msg: '' });
  });

  it('a ticket works once: a wrong guess spends it, and so does a right answer', async () => {
    const first = await captcha();
    expect(await reset({ captcha: `${first.answer}x`, ticket: first.ticket })).toMatchObject({ code: 40026 });
    expect(await reset({ captcha: first.answer, ticket: first.ticket })).toMatchObject({ code: 40026 });
    const second = await captcha();
    expect(await reset({ captcha: second.answer, ticket: second.ticket })).toMatchObject({ code: 0 });
    expect(await reset({ captcha: second.answer, ticket: second.ticket })).toMatchObject({ code: 40026 });
  });

  it('an expired ticket is refused', async () => {
    const { ticket, answer } = await captcha();
    clock.advance(5 * 60_000 + 1_000);
    try {
      expect(await reset({ captcha: answer, ticket })).toMatchObject({ code: 40026 });
    } finally {
      clock.advance(-(5 * 60_000 + 1_000));
    }
  });

  it('is not asked for when the setting is off', async () => {
    const open = await startTestResetd({ RESETD_WORKER: 'off' });
    try {
      expect(await postJson(open, '/api/v4/user/reset', { email: 'x@example.com' }).then((r) => r.json())).toEqual({ code: 0, msg: '' });
    } finally {
      await open.dispose();
    }
  });
});
