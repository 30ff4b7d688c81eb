import type { DialectName } from './dialects.ts';

/**
 * A reset request moves through these states (diagram: reset-request-states.md).
 * The request path only ever creates `pending`; the worker does the rest, the same way
 * for a known and an unknown account until it has looked the account up.
 */
export type ResetRequestState =
  | 'pending' // accepted and committed, waiting for the worker
  | 'sending' // claimed by a worker until its lease runs out
  | 'sent' // the mail went out
  | 'no_account' // nobody has this address: nothing to send, by design
  | 'dead'; // gave up after the retry limit; the operator can retry it

export interface NewResetRequest {
  id: string;
  dialect: DialectName;
  /** What the requester named the account by: an email key, or for maiascore an id or username. */
  identifier: string;
  clientIp: string | null;
  createdAt: Date;
}

export interface ResetRequest extends NewResetRequest {
  state: ResetRequestState;
  /** How many times a worker has claimed it, this claim included. */
  attempts: number;
}
