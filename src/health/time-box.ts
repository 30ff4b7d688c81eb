/** What a time-boxed call did: answered (with its value), failed, or took too long. */
export type Boxed<T> = { ok: true; value: T } | { ok: false; error: unknown };

export class TimedOut extends Error {
  constructor(what: string, ms: number) {
    super(`${what} did not answer within ${ms} ms`);
    this.name = 'TimedOut';
  }
}

/**
 * Runs `call` but gives up waiting after `ms`: a probe or a scrape must answer even while a
 * database hangs. The call itself goes on (a query cannot be taken back); its late outcome is
 * ignored, and a late rejection is caught so it cannot crash the process.
 */
export async function timeBox<T>(what: string, ms: number, call: () => Promise<T>): Promise<Boxed<T>> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimedOut(what, ms)), ms);
  });
  const running = Promise.resolve().then(call);
  running.catch(() => {});
  try {
    return { ok: true, value: await Promise.race([running, late]) };
  } catch (error) {
    return { ok: false, error };
  } finally {
    clearTimeout(timer);
  }
}
