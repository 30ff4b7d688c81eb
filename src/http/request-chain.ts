import type { AnyReply } from './reply.ts';

/**
 * One named step of answering a request. A reply ends the request there; nothing hands it
 * to the next step. The steps, in order, are the HTTP face's whole story (see app.ts).
 */
export interface Step<T> {
  name: string;
  run(input: T): Promise<AnyReply | undefined> | AnyReply | undefined;
}

/** Runs `steps` in order; the first reply is the answer, else `last` answers. */
export async function runSteps<T>(input: T, steps: readonly Step<T>[], last: (input: T) => Promise<AnyReply>): Promise<AnyReply> {
  for (const step of steps) {
    const reply = await step.run(input);
    if (reply) return reply;
  }
  return last(input);
}
