import { describe, expect, it } from 'vitest';
import { groupCommit } from '../../src/store/group-commit.ts';

/** A group commit that records each write it is handed, under `name`. */
function recorded(name: string, log: string[]) {
  return groupCommit(async (items: number[]) => {
    log.push(`${name} ${items.join(',')}`);
    return items.map((item) => item * 10);
  });
}

describe('group commit', () => {
  it('writes the items of one turn together and answers each caller with its own result', async () => {
    const log: string[] = [];
    const write = recorded('counts', log);
    expect(await Promise.all([write(1), write(2), write(3)])).toEqual([10, 20, 30]);
    expect(log).toEqual(['counts 1,2,3']);
  });

  it("writes in the same turn what a write's answers lead to (a keyed request's two counts, then its outbox row)", async () => {
    const log: string[] = [];
    const ipCounts = recorded('ip', log);
    const keyCounts = recorded('key', log);
    const rows = recorded('rows', log);
    // From a turn of its own: the passes an earlier test queued have run.
    await new Promise((resolve) => setImmediate(resolve));
    const request = async (n: number) => {
      await ipCounts(n);
      // Only microtasks between one write's answer and the next, as on the request path.
      await Promise.resolve();
      await keyCounts(n);
      return rows(n);
    };
    // A turn of the event loop queued after the first writes, before their answers: the rows must not wait for it.
    const requests = Promise.all([request(1), request(2)]);
    const nextTurn = new Promise<void>((resolve) =>
      setImmediate(() => {
        log.push('next turn');
        resolve();
      }),
    );
    await Promise.all([requests, nextTurn]);
    expect(log).toEqual(['ip 1,2', 'key 1,2', 'rows 1,2', 'next turn']);
  });

  it('answers every caller of a failed write with its error, and writes the next turn afresh', async () => {
    let fail = true;
    const write = groupCommit((items: number[]) => {
      if (fail) throw new Error('disk full');
      return items;
    });
    const failed = await Promise.allSettled([write(1), write(2)]);
    expect(failed.map((result) => result.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect(await write(3)).toBe(3);
  });
});
