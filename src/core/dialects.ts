import type { components } from '../../generated/api.ts';

/** The products whose forgot-password API resetd speaks. The spec's `Dialect` enum is the source. */
export type DialectName = components['schemas']['Dialect'];

export const DIALECTS = [
  'rocketchat',
  'maiascore',
  'unleash',
  'cloudreve',
  'quickblox',
] as const satisfies readonly DialectName[];

// Fails to compile when the spec gains a dialect this list lacks.
const _everyDialectListed: DialectName extends (typeof DIALECTS)[number] ? true : never = true;
void _everyDialectListed;

export function isDialect(value: unknown): value is DialectName {
  return typeof value === 'string' && (DIALECTS as readonly string[]).includes(value);
}
