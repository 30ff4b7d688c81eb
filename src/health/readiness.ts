import type { Directory } from '../core/directory.ts';
import type { Store } from '../core/store.ts';
import { timeBox } from './time-box.ts';

/** How long each readiness check may take before it counts as down. */
export const READINESS_TIMEOUT_MS = 2_000;

export type CheckResult = 'ok' | 'down';

export interface Readiness {
  ready: boolean;
  checks: { store: CheckResult; directory: CheckResult };
  /** Why a check is down, for the log (never in the answer: it may name hosts). */
  errors: { store?: string; directory?: string };
}

/**
 * Whether this instance can serve: its store answers, and the directory where the accounts
 * live answers (directory.ping: the builtin one pings the store, sql runs SELECT 1, http
 * sends a signed ping, unleash an admin-only read). Both at once, each time-boxed.
 */
export async function checkReadiness(
  deps: { store: Pick<Store, 'ping'>; directory: Pick<Directory, 'ping'> },
  timeoutMs = READINESS_TIMEOUT_MS,
): Promise<Readiness> {
  const [store, directory] = await Promise.all([
    timeBox('the store', timeoutMs, () => deps.store.ping()),
    timeBox('the directory', timeoutMs, () => deps.directory.ping()),
  ]);
  const errors: Readiness['errors'] = {};
  if (!store.ok) errors.store = describe(store.error);
  if (!directory.ok) errors.directory = describe(directory.error);
  return {
    ready: store.ok && directory.ok,
    checks: { store: store.ok ? 'ok' : 'down', directory: directory.ok ? 'ok' : 'down' },
    errors,
  };
}

function describe(error: unknown): string {
  if (error instanceof AggregateError && !error.message) return error.errors.map(describe).join('; ');
  return error instanceof Error ? error.message || error.name : String(error);
}
