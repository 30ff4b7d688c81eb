/**
 * Email addresses as resetd compares them: Unicode NFC, then case-folded, so that one
 * mailbox is one account however its owner types it, and two different mailboxes are
 * never folded into one (no look-alike mapping, no dot or plus stripping).
 */

export type EmailCheck =
  | { ok: true; address: string; key: string }
  | { ok: false; reason: 'empty' | 'too-long' | 'malformed' };

// RFC 5321 limits: 254 octets in all, 64 for the local part.
const MAX_LENGTH = 254;
const MAX_LOCAL = 64;
// Dot-atom local part and a dotted domain; letters and digits of any script (SMTPUTF8).
// No spaces, quotes, commas, angle brackets or control characters: one address, one mailbox.
// Combining marks (\p{M}) are part of letters in scripts such as Devanagari and Thai.
const LOCAL = /^[\p{L}\p{M}\p{N}!#$%&'*+/=?^_`{|}~-]+(?:\.[\p{L}\p{M}\p{N}!#$%&'*+/=?^_`{|}~-]+)*$/u;
const LABEL = /^[\p{L}\p{N}](?:[\p{L}\p{M}\p{N}-]{0,61}[\p{L}\p{M}\p{N}])?$/u;

export function checkEmail(raw: string): EmailCheck {
  if (raw.length === 0) return { ok: false, reason: 'empty' };
  if (raw.length > MAX_LENGTH * 4) return { ok: false, reason: 'too-long' };
  const address = raw.normalize('NFC');
  if (Buffer.byteLength(address, 'utf8') > MAX_LENGTH) return { ok: false, reason: 'too-long' };
  const at = address.lastIndexOf('@');
  if (at <= 0 || at !== address.indexOf('@')) return { ok: false, reason: 'malformed' };
  const local = address.slice(0, at);
  const labels = address.slice(at + 1).split('.');
  if (Buffer.byteLength(local, 'utf8') > MAX_LOCAL) return { ok: false, reason: 'too-long' };
  if (!LOCAL.test(local)) return { ok: false, reason: 'malformed' };
  if (labels.length < 2 || !labels.every((label) => LABEL.test(label))) {
    return { ok: false, reason: 'malformed' };
  }
  return { ok: true, address, key: emailKey(address) };
}

/** The comparison key of an address: NFC, lower case, NFC again (lower-casing can decompose). */
export function emailKey(address: string): string {
  return address.normalize('NFC').toLowerCase().normalize('NFC');
}
