import type { Origin } from './outbox-item.ts';
import type { CoreSettings } from './settings.ts';

/**
 * The link in a reset mail: the configured public URL and the origin's reset page path,
 * never anything from a request's Host header.
 */
export function resetLink(settings: Pick<CoreSettings, 'publicUrl' | 'resetPaths'>, origin: Origin, token: string, userId: string): string {
  const path = settings.resetPaths[origin]
    .replaceAll('{token}', encodeURIComponent(token))
    .replaceAll('{user}', encodeURIComponent(userId));
  return `${settings.publicUrl.replace(/\/+$/, '')}${path}`;
}
