import { describe, expect, it } from 'vitest';
import { newSecret, sha256 } from '../../src/core/secrets.ts';
import { at } from './fixtures.ts';
import { STORE_KINDS, useStore } from './stores.ts';

/** CaptchaStore: each ticket is taken once; expired ones are forgotten. */
describe.each(STORE_KINDS)('CAPTCHA tickets on %s', (kind) => {
  const subject = useStore(kind);
  const ticket = (answer: string, expires: number) => ({ hash: sha256(newSecret()), answer, expiresAt: at(expires) });

  it('a ticket is taken once, with its answer and expiry', async () => {
    const kept = ticket('k7x2p', 300_000);
    await subject.store.addCaptchaTicket(kept, at(0));
    expect(await subject.store.takeCaptchaTicket(kept.hash)).toEqual({ answer: 'k7x2p', expiresAt: at(300_000) });
    expect(await subject.store.takeCaptchaTicket(kept.hash)).toBeUndefined();
    expect(await subject.store.takeCaptchaTicket(sha256('never issued'))).toBeUndefined();
  });

  it('two takes at once: one gets the ticket, the other nothing', async () => {
    const kept = ticket('abcd', 300_000);
    await subject.store.addCaptchaTicket(kept, at(0));
    const other = await subject.another();
    const taken = await Promise.all([subject.store.takeCaptchaTicket(kept.hash), other.takeCaptchaTicket(kept.hash)]);
    expect(taken.filter(Boolean)).toHaveLength(1);
  });

  it('adding a ticket forgets those expired by then, and keeps the others', async () => {
    const expired = ticket('old', 1_000);
    const expiringNow = ticket('edge', 2_000);
    const live = ticket('live', 2_001);
    for (const t of [expired, expiringNow, live]) await subject.store.addCaptchaTicket(t, at(0));
    await subject.store.addCaptchaTicket(ticket('new', 400_000), at(2_000));
    expect(await subject.store.takeCaptchaTicket(expired.hash)).toBeUndefined();
    expect(await subject.store.takeCaptchaTicket(expiringNow.hash)).toBeUndefined();
    expect(await subject.store.takeCaptchaTicket(live.hash)).toEqual({ answer: 'live', expiresAt: at(2_001) });
  });
});
