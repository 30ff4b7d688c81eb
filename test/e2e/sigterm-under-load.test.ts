import { Agent, request } from 'node:http';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { NpmStart } from '../support/npm-start.ts';
import { accepts, alive, descendants, killGroup, npmStart, whenStarted } from '../support/npm-start.ts';
import type { TestDatabase } from '../support/test-store.ts';
import { countOutboxRows, newTestDatabase } from '../support/test-store.ts';
import { until } from '../support/waiting.ts';

/**
 * A supervisor stopping `npm start` (the compiled build, as an operator runs it) while
 * clients keep sending reset requests on keep-alive connections. Every request either was
 * answered 2xx and is in the outbox, or was refused a connection (ECONNREFUSED: a load
 * balancer sends it elsewhere); none is cut (ECONNRESET, socket hang up), whose client cannot
 * tell whether it was carried out. The worker finishes what it claimed, and nothing is left
 * running.
 */
const CONNECTIONS = 10;
const SHUTDOWN_TIMEOUT_SECONDS = 10;

let database: TestDatabase;
let run: NpmStart | undefined;
afterEach(() => {
  if (run) killGroup(run.child);
});
afterAll(async () => {
  await database?.drop();
});

type Outcome = { status: number; connection: string | undefined; after: boolean } | { error: string; after: boolean };

/** One POST on the client's own keep-alive connection; never rejects. */
function forgotPassword(agent: Agent, port: number, email: string, signalled: () => boolean): Promise<Outcome> {
  const body = JSON.stringify({ email });
  return new Promise((resolve) => {
    const req = request(
      { agent, host: '127.0.0.1', port, method: 'POST', path: '/api/v1/users.forgotPassword', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (response) => {
        response.resume();
        response.once('end', () => resolve({ status: response.statusCode!, connection: response.headers.connection, after: signalled() }));
        response.once('error', (error) => resolve({ error: (error as NodeJS.ErrnoException).code ?? error.message, after: signalled() }));
      },
    );
    req.once('error', (error) => resolve({ error: (error as NodeJS.ErrnoException).code ?? error.message, after: signalled() }));
    req.end(body);
  });
}

describe('SIGTERM to npm start under load', () => {
  it(`${CONNECTIONS} keep-alive clients: every request answered 2xx and stored, or refused a connection; none cut; exit 0; no process left`, async () => {
    database = newTestDatabase();
    run = await npmStart({ DATABASE_URL: database.url, RATE_LIMIT_IP: '0', SHUTDOWN_TIMEOUT: String(SHUTDOWN_TIMEOUT_SECONDS) });
    await whenStarted(run);
    const { port } = run;
    const tree = descendants(run.child.pid!);
    expect(tree.length).toBeGreaterThan(0);

    let signalledAt = 0;
    const signalled = () => signalledAt > 0;
    const outcomes: Outcome[] = [];
    const clients = Array.from({ length: CONNECTIONS }, async (_, client) => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      // Until the server refuses the connection: what a client does next is up to it.
      for (let n = 0; ; n++) {
        const outcome = await forgotPassword(agent, port, `load-${client}-${n}@example.com`, signalled);
        outcomes.push(outcome);
        if ('error' in outcome) break;
      }
      agent.destroy();
    });

    // Load for a moment, so that requests are in flight on every connection, then the signal.
    await until(() => outcomes.length >= 200, 30_000, 5);
    signalledAt = Date.now();
    run.child.kill('SIGTERM');
    const exit = await run.exit;
    const took = Date.now() - signalledAt;
    await Promise.all(clients);

    expect(exit, run.output()).toEqual({ code: 0, signal: null });
    expect(took).toBeLessThan(SHUTDOWN_TIMEOUT_SECONDS * 1000);
    await until(() => tree.every((pid) => !alive(pid)), 5_000, 20).catch(() => {
      throw new Error(`still running after npm exited: ${tree.filter(alive).join(', ')}`);
    });
    expect(await accepts(port)).toBe(false);

    const answered = outcomes.filter((o) => 'status' in o);
    const cut = outcomes.filter((o) => 'error' in o && o.error !== 'ECONNREFUSED');
    expect(cut, JSON.stringify(cut.slice(0, 5))).toEqual([]);
    expect(answered.filter((o) => o.status !== 200)).toEqual([]);
    // Each client went on until it was refused: none stopped for another reason.
    expect(outcomes.filter((o) => 'error' in o)).toHaveLength(CONNECTIONS);
    // Nothing lost and nothing extra: one outbox row per answered request, none left claimed.
    expect(await countOutboxRows(database)).toBe(answered.length);
    const [claimed] = await database.query<{ n: number | string }>("SELECT count(*) AS n FROM outbox WHERE state = 'sending'");
    expect(Number(claimed!.n)).toBe(0);
    expect(run.output()).toContain('"resetd.stopped"');
    expect(run.output()).not.toContain('"resetd.requests_cut"');
    console.log(`sigterm under load: ${answered.length} answered (${answered.filter((o) => o.after).length} after the signal), ${CONNECTIONS} refused, stopped in ${took} ms`);
  }, 60_000);
});
