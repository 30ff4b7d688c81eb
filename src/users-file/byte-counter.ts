import { Transform } from 'node:stream';

/** The body went past its cap; what was read before is all that was read. */
export class TooLargeError extends Error {}

/** A pass-through that counts the bytes going by (for a progress bar) and fails past `limit`. */
export function byteCounter(limit = Number.POSITIVE_INFINITY): Transform & { bytes: number } {
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      counter.bytes += chunk.length;
      if (counter.bytes > limit) done(new TooLargeError(`more than ${limit} bytes`));
      else done(null, chunk);
    },
  }) as Transform & { bytes: number };
  counter.bytes = 0;
  return counter;
}
