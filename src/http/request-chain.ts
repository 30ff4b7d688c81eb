import type { AnyReply } from './reply.ts';

/**
 * One named step of answering a request. A reply ends the request there; nothing hands it
 * to the next step. The steps, in order, are the HTTP face's whole story (see app.ts).
 */
export interface Step<T> {
  name: string;
  run(input: T): Promise<AnyReply | undefined> | AnyReply | undefined;
}

/**
 * Runs `steps` in order; the first reply is the answer, else `last` answers. A step that
 * answers at once (most do, most of the time) is not awaited: each await is a turn of the
 * microtask queue on every request's path.
 */
export async function runSteps<T>(input: T, steps: readonly Step<T>[], last: (input: T) => Promise<AnyReply>): Promise<AnyReply> {
  for (const step of steps) {
    const result = step.run(input);
    const reply = result instanceof Promise ? await result : result;
    if (reply) return reply;
  }
  return last(input);
}
