/**
 * Which resetd instances have every response checked against generated/openapi.yaml (see
 * check-every-response.ts, a vitest setup file), and how a request opts out. The registry
 * lives on globalThis so that the setup file and the test's own modules share it.
 */
const REGISTRY = Symbol.for('resetd.test.checkedOrigins');
const shared = globalThis as { [REGISTRY]?: Map<string, number> };
shared[REGISTRY] ??= new Map();
/** Origin → how many running instances answer there. */
const registry = shared[REGISTRY];

/** The header that exempts one request from the check; its value says why. Never sent. */
export const UNCHECKED_HEADER = 'x-test-unchecked';

/** Checks every response from `baseUrl` from now on (resetd.ts and processes.ts call this). */
export function checkResponsesFrom(baseUrl: string): void {
  const origin = new URL(baseUrl).origin;
  registry.set(origin, (registry.get(origin) ?? 0) + 1);
}

/** Stops checking `baseUrl`, once the instance there has stopped. */
export function stopCheckingResponsesFrom(baseUrl: string): void {
  const origin = new URL(baseUrl).origin;
  const left = (registry.get(origin) ?? 0) - 1;
  if (left > 0) registry.set(origin, left);
  else registry.delete(origin);
}

export function isCheckedOrigin(origin: string): boolean {
  return registry.has(origin);
}

/**
 * fetch without the spec check, for a request whose answer resetd does not decide or the spec
 * cannot list (Node's own 431, a path no operation has): `why` says which, and is required.
 */
export async function uncheckedFetch(why: string, input: string | URL, init: RequestInit = {}): Promise<Response> {
  if (!why.trim()) throw new Error('uncheckedFetch needs a reason');
  const headers = new Headers(init.headers);
  headers.set(UNCHECKED_HEADER, why);
  return fetch(input, { ...init, headers });
}
