import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * How resetd signs what it sends to the application (the webhook, the http directory's
 * callbacks): `Resetd-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`. The
 * time inside the signed text lets a receiver refuse a replayed call.
 */
export function signatureHeader(secret: string, body: string, at: Date = new Date()): string {
  const timestamp = Math.floor(at.getTime() / 1000);
  return `t=${timestamp},v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** A receiver's check: the signature matches and is at most `toleranceSeconds` old. */
export function verifySignature(secret: string, body: string, header: string | null | undefined, toleranceSeconds = 300, now: Date = new Date()): boolean {
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header ?? '');
  if (!match) return false;
  const timestamp = Number(match[1]);
  if (Math.abs(now.getTime() / 1000 - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex'), 'hex');
  return timingSafeEqual(expected, Buffer.from(match[2]!, 'hex'));
}
