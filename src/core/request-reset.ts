import { checkEmail } from './email-address.ts';
import type { Origin } from './outbox-item.ts';
import type { Clock } from './ports.ts';
import type { OutboxStore } from './store.ts';
import { newId } from './secrets.ts';

/** What a request's account field may hold: an address, or (maiascore) also an id or user name. */
export type AccountNaming = 'email' | 'email-id-or-name';

export interface RequestResetCommand {
  origin: Origin;
  /** Decided by the dialect (the reset page asks for an address). */
  naming: AccountNaming;
  /** The address (or, for maiascore, the id, username or address) exactly as sent. */
  identifier: string;
  clientIp: string | null;
}

export type RequestResetOutcome =
  | { kind: 'accepted'; outboxId: string } // the id the worker's log lines about it carry
  | { kind: 'invalid'; reason: 'empty' | 'too-long' | 'malformed' };

export interface RequestResetDeps {
  store: Pick<OutboxStore, 'addResetRequest'>;
  clock: Clock;
  /** Tells an in-process worker there is work, so mail leaves without waiting for a poll. */
  wake?: () => void;
}

const MAX_ACCOUNT_NAME = 254;
const CONTROL = /\p{Cc}/u;

/**
 * The request path: check the input, commit one row, answer. It never looks the account
 * up, so a known and an unknown address take the same path and the same time; the worker
 * decides later whether there is anyone to mail.
 */
export async function requestReset(
  deps: RequestResetDeps,
  command: RequestResetCommand,
): Promise<RequestResetOutcome> {
  const identifier = accountIdentifier(command);
  if (typeof identifier !== 'string') return identifier;
  const id = newId('rr');
  await deps.store.addResetRequest({
    id,
    kind: 'reset',
    origin: command.origin,
    identifier,
    clientIp: command.clientIp,
    createdAt: deps.clock.now(),
    payload: null,
  });
  deps.wake?.();
  return { kind: 'accepted', outboxId: id };
}

function accountIdentifier(command: RequestResetCommand): string | RequestResetOutcome {
  const raw = command.identifier;
  if (command.naming === 'email' || raw.includes('@')) {
    const email = checkEmail(raw);
    return email.ok ? email.key : { kind: 'invalid', reason: email.reason };
  }
  if (raw.length === 0) return { kind: 'invalid', reason: 'empty' };
  if (raw.length > MAX_ACCOUNT_NAME) return { kind: 'invalid', reason: 'too-long' };
  if (CONTROL.test(raw) || raw.trim() !== raw) return { kind: 'invalid', reason: 'malformed' };
  return raw.normalize('NFC');
}
