import { describe, expect, it } from 'vitest';
import type { RequestResetCommand } from '../../src/core/request-reset.ts';
import { requestReset } from '../../src/core/request-reset.ts';
import type { Store } from '../../src/core/store.ts';
import { claimDue, memoryStore, movableClock } from './harness.ts';

/** The request path: check the identifier, commit one row, answer; nothing is looked up. */
function setup() {
  const store = memoryStore();
  const clock = movableClock();
  const calls: string[] = [];
  // The real store, watched: which of its methods the request path calls.
  const watched = new Proxy(store, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.push(String(name));
        return value.apply(target, args);
      };
    },
  }) as Store;
  let wakes = 0;
  const request = (command: Partial<RequestResetCommand> & Pick<RequestResetCommand, 'identifier'>) =>
    requestReset({ store: watched, clock, wake: () => wakes++ }, { origin: 'rocketchat', naming: 'email', clientIp: '192.0.2.1', ...command });
  return { store, clock, calls, request, wakes: () => wakes };
}

describe('requestReset', () => {
  it('an address is accepted as one pending row keyed by its NFC, lower-case form, with the origin, client and time', async () => {
    const { store, clock, calls, request, wakes } = setup();
    const outcome = await request({ identifier: 'E\u0301mile@Example.COM', origin: 'unleash', clientIp: '198.51.100.4' });
    const rows = await claimDue(store, clock);
    expect(outcome).toEqual({ kind: 'accepted', outboxId: rows[0]!.id });
    expect(rows).toEqual([
      expect.objectContaining({ kind: 'reset', origin: 'unleash', identifier: 'émile@example.com', clientIp: '198.51.100.4', createdAt: clock.now(), payload: null, attempts: 1 }),
    ]);
    expect(rows[0]!.id).toMatch(/^rr_/);
    expect(calls).toEqual(['addResetRequest']);
    expect(wakes()).toBe(1);
  });

  it('a known and an unknown address take the same path: one write each, nothing looked up', async () => {
    const { store, calls, request } = setup();
    await store.addUser({ id: 'usr_1', email: 'known@example.com', emailKey: 'known@example.com', name: null, locale: null, disabled: false, passwordHash: null, createdAt: new Date() });
    expect(await request({ identifier: 'known@example.com' })).toEqual({ kind: 'accepted', outboxId: expect.stringMatching(/^rr_/) });
    expect(await request({ identifier: 'unknown@example.com' })).toEqual({ kind: 'accepted', outboxId: expect.stringMatching(/^rr_/) });
    expect(calls).toEqual(['addResetRequest', 'addResetRequest']);
  });

  it.each([
    ['', 'empty'],
    ['not-an-address', 'malformed'],
    ['two@at@example.com', 'malformed'],
    ['a b@example.com', 'malformed'],
    [`${'a'.repeat(65)}@example.com`, 'too-long'],
    [`a@${'b'.repeat(250)}.com`, 'too-long'],
  ] as const)('where an address is asked for, %j is invalid (%s) and nothing is written', async (identifier, reason) => {
    const { store, clock, calls, request, wakes } = setup();
    expect(await request({ identifier })).toEqual({ kind: 'invalid', reason });
    expect(calls).toEqual([]);
    expect(await claimDue(store, clock)).toEqual([]);
    expect(wakes()).toBe(0);
  });

  it('maiascore names an account by id or user name: kept as sent (NFC), not lower-cased', async () => {
    const { store, clock, request } = setup();
    expect(await request({ origin: 'maiascore', naming: 'email-id-or-name', identifier: 'usr_42' })).toEqual({ kind: 'accepted', outboxId: expect.stringMatching(/^rr_/) });
    expect(await request({ origin: 'maiascore', naming: 'email-id-or-name', identifier: 'Ame\u0301lie' })).toEqual({ kind: 'accepted', outboxId: expect.stringMatching(/^rr_/) });
    expect((await claimDue(store, clock)).map((item) => item.identifier).sort()).toEqual(['Amélie', 'usr_42']);
  });

  it('maiascore: an identifier with an @ is checked as an address and keyed like one', async () => {
    const { store, clock, request } = setup();
    expect(await request({ origin: 'maiascore', naming: 'email-id-or-name', identifier: 'Ana@Example.com' })).toEqual({ kind: 'accepted', outboxId: expect.stringMatching(/^rr_/) });
    expect(await request({ origin: 'maiascore', naming: 'email-id-or-name', identifier: 'ana@' })).toEqual({ kind: 'invalid', reason: 'malformed' });
    expect((await claimDue(store, clock)).map((item) => item.identifier)).toEqual(['ana@example.com']);
  });

  it.each([
    ['', 'empty'],
    ['x'.repeat(255), 'too-long'],
    [' padded', 'malformed'],
    ['padded ', 'malformed'],
    ['line\nbreak', 'malformed'],
    ['nul\u0000', 'malformed'],
  ] as const)('maiascore: the id or name %j is invalid (%s) and nothing is written', async (identifier, reason) => {
    const { calls, request } = setup();
    expect(await request({ origin: 'maiascore', naming: 'email-id-or-name', identifier })).toEqual({ kind: 'invalid', reason });
    expect(calls).toEqual([]);
  });

  it('maiascore: a name of 254 characters is accepted', async () => {
    const { request } = setup();
    expect(await request({ origin: 'maiascore', naming: 'email-id-or-name', identifier: 'x'.repeat(254) })).toEqual({ kind: 'accepted', outboxId: expect.stringMatching(/^rr_/) });
  });
});
