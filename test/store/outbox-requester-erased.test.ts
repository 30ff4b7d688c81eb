import { describe, expect, it } from 'vitest';
import type { FindResult } from '../../src/core/directory.ts';
import { deliverOutboxItem } from '../../src/core/deliver-outbox.ts';
import { DeliveryError } from '../../src/core/ports.ts';
import { builtinDirectory } from '../../src/directory/builtin/builtin-directory.ts';
import { capturingMailer, SETTINGS } from '../unit/harness.ts';
import { at, newUser, resetItem } from './fixtures.ts';
import { STORE_KINDS, useStore } from './stores.ts';

/**
 * Once the worker has finished a reset request, its row keeps neither the address (or name)
 * asked for nor the client IP: a copy of the database does not list who asked, nor, through
 * the row's state, which of the addresses asked for are accounts. Work still to do keeps
 * them (a dead row for the operator's retry), until RETENTION_DAYS.
 */
describe.each(STORE_KINDS)('a finished reset request forgets who asked, on %s', (kind) => {
  const subject = useStore(kind);
  const clock = { now: () => at(1_000) };
  const row = async (id: string) =>
    (await subject.query<{ state: string; identifier: string; client_ip: string | null }>('SELECT state, identifier, client_ip FROM outbox WHERE id = ?', id))[0]!;

  const deliver = async (identifier: string, options: { find?: FindResult; throttled?: boolean; mailFails?: boolean; origin?: 'maiascore' } = {}) => {
    const item = resetItem(at(0), { identifier, clientIp: '198.51.100.23', ...(options.origin && { origin: options.origin }) });
    await subject.store.addResetRequest(item);
    const [claimed] = await subject.store.claimOutbox(at(1_000), at(61_000), 1);
    const mailer = capturingMailer();
    if (options.mailFails) mailer.failWith(new DeliveryError('550 no such mailbox', false));
    const builtin = builtinDirectory({ store: subject.store, clock, hasher: { hash: async (p) => `plain:${p}` } });
    const found = options.find;
    const outcome = await deliverOutboxItem(
      {
        store: subject.store,
        directory: found ? { find: async () => found } : builtin,
        mailer,
        webhook: null,
        throttle: { take: async () => !options.throttled },
        clock,
        settings: SETTINGS,
      },
      claimed!,
    );
    return { outcome, row: await row(item.id) };
  };

  it('an address nobody has', async () => {
    const { outcome, row } = await deliver('nobody@example.com');
    expect(outcome).toEqual({ kind: 'no_account' });
    expect(row).toEqual({ state: 'no_account', identifier: '', client_ip: null });
  });

  it('a name several accounts answer to', async () => {
    const { outcome, row } = await deliver('sam', { origin: 'maiascore', find: { kind: 'ambiguous', matches: 2 } });
    expect(outcome).toEqual({ kind: 'no_account', ambiguous: 2 });
    expect(row).toEqual({ state: 'no_account', identifier: '', client_ip: null });
  });

  it('a disabled account', async () => {
    await subject.store.addUser(newUser('off@example.com', { disabled: true }));
    expect((await deliver('off@example.com')).row).toEqual({ state: 'no_account', identifier: '', client_ip: null });
  });

  it('an account that had all the mail it may have, and one that was mailed', async () => {
    await subject.store.addUser(newUser('ana@example.com'));
    expect((await deliver('ana@example.com', { throttled: true })).row).toEqual({ state: 'throttled', identifier: '', client_ip: null });
    expect((await deliver('ana@example.com')).row).toEqual({ state: 'sent', identifier: '', client_ip: null });
  });

  it('a dead request keeps them, so the operator can retry it', async () => {
    await subject.store.addUser(newUser('bea@example.com'));
    const { outcome, row } = await deliver('bea@example.com', { mailFails: true });
    expect(outcome).toMatchObject({ kind: 'dead' });
    expect(row).toEqual({ state: 'dead', identifier: 'bea@example.com', client_ip: '198.51.100.23' });
  });
});
