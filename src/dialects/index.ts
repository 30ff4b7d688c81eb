import type { DialectName } from '../core/dialects.ts';
import { cloudreve } from './cloudreve.ts';
import type { Dialect } from './dialect.ts';
import { maiascore } from './maiascore.ts';
import { quickblox } from './quickblox.ts';
import { rocketchat } from './rocketchat.ts';
import { unleash } from './unleash.ts';

export const DIALECT_TABLE: Record<DialectName, Dialect> = {
  rocketchat,
  maiascore,
  unleash,
  cloudreve,
  quickblox,
};

/** The dialect whose shape an unknown path is answered in: the longest matching prefix. */
export function dialectForPath(path: string): Dialect | undefined {
  return Object.values(DIALECT_TABLE)
    .filter((dialect) => path.startsWith(dialect.pathPrefix))
    .sort((a, b) => b.pathPrefix.length - a.pathPrefix.length)[0];
}
