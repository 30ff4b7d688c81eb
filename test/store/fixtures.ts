import type { NewOutboxItem } from '../../src/core/outbox-item.ts';
import { newId, newSecret, sha256 } from '../../src/core/secrets.ts';
import type { NewResetToken, NewUser } from '../../src/core/store.ts';

/** Rows for the store contract: times are explicit, so no test depends on the wall clock. */

export const T0 = new Date('2031-03-01T12:00:00.000Z');

/** `ms` milliseconds after T0. */
export function at(ms: number): Date {
  return new Date(T0.getTime() + ms);
}

export function resetItem(createdAt: Date, fields: Partial<NewOutboxItem> = {}): NewOutboxItem {
  return {
    id: newId('rr'),
    kind: 'reset',
    origin: 'rocketchat',
    identifier: 'someone@example.com',
    clientIp: '192.0.2.1',
    createdAt,
    payload: null,
    ...fields,
  };
}

export function resetToken(accountId: string, createdAt: Date, fields: Partial<NewResetToken> = {}): NewResetToken {
  return {
    hash: sha256(newSecret()),
    requestId: newId('rr'),
    account: { id: accountId, email: `${accountId}@example.com`, name: null, locale: null },
    origin: 'rocketchat',
    createdAt,
    expiresAt: new Date(createdAt.getTime() + 30 * 60_000),
    ...fields,
  };
}

export function newUser(email: string, fields: Partial<NewUser> = {}): NewUser {
  return {
    id: newId('usr'),
    email,
    emailKey: email.toLowerCase(),
    name: null,
    locale: null,
    disabled: false,
    passwordHash: null,
    createdAt: T0,
    ...fields,
  };
}
