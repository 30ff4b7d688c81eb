import type { DialectName } from '../core/dialects.ts';

/** The product a mail speaks for, by the dialect its request came through. */
export const PRODUCT_NAMES: Record<DialectName, string> = {
  rocketchat: 'Rocket.Chat',
  maiascore: 'maiascore',
  unleash: 'Unleash',
  cloudreve: 'Cloudreve',
  quickblox: 'QuickBlox',
};
