import type { WebhookSender } from '../core/ports.ts';
import { DeliveryError } from '../core/ports.ts';
import { signatureHeader } from '../signature/resetd-signature.ts';

/**
 * POSTs the JSON body to the host application, signed so it can tell the call is
 * resetd's: `Resetd-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`.
 * 2xx is delivered; 408, 429 and 5xx are retried; any other answer is refused for good.
 */
export function createWebhookSender(url: string, secret: string, timeoutMs: number): WebhookSender {
  return {
    async send(body) {
      let response: Response;
      try {
        response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'resetd-signature': signatureHeader(secret, body) },
          body,
          redirect: 'manual',
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        throw new DeliveryError(`webhook: ${(error as Error).message}`, true);
      }
      await response.body?.cancel();
      if (response.ok) return;
      const transient = response.status === 408 || response.status === 429 || response.status >= 500;
      throw new DeliveryError(`webhook answered ${response.status}`, transient);
    },
  };
}
