import type { DialectName } from '../../src/core/dialects.ts';
import type { ApiKeys } from '../../test/support/admin.ts';

/** One forgot-password request as a dialect's client sends it. */
interface Request {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/** Each dialect's forgot-password operation (README, "Dialects"), with its API key where it takes one. */
export function forgotPassword(dialect: DialectName, email: string, keys: ApiKeys): Request {
  const json = { 'content-type': 'application/json' };
  switch (dialect) {
    case 'rocketchat':
      return { method: 'POST', path: '/api/v1/users.forgotPassword', headers: json, body: JSON.stringify({ email }) };
    case 'maiascore':
      return { method: 'POST', path: '/auth/forgot-password', headers: { ...json, authorization: `Bearer ${keys.maiascore}` }, body: JSON.stringify({ id: email }) };
    case 'unleash':
      return { method: 'POST', path: '/auth/reset/password-email', headers: { ...json, authorization: keys.unleash }, body: JSON.stringify({ email }) };
    case 'cloudreve':
      return { method: 'POST', path: '/api/v4/user/reset', headers: json, body: JSON.stringify({ email }) };
    case 'quickblox':
      return { method: 'GET', path: `/users/password/reset.json?email=${encodeURIComponent(email)}`, headers: { 'QB-Token': keys.quickblox } };
  }
}

/** What became of one request. */
export interface Sent {
  dialect: DialectName;
  email: string;
  known: boolean;
  /** 2xx, and for Cloudreve (always HTTP 200) code 0 in its envelope. */
  accepted: boolean;
  /** The status, or the network error, for a request that was not accepted. */
  outcome: string;
}

/** Sends one request; an answer that is not an acceptance, or no answer, is recorded, never thrown. */
export async function send(baseUrl: string, dialect: DialectName, email: string, known: boolean, keys: ApiKeys): Promise<Sent> {
  const request = forgotPassword(dialect, email, keys);
  try {
    const response = await fetch(`${baseUrl}${request.path}`, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      signal: AbortSignal.timeout(15_000),
    });
    const text = await response.text();
    // Cloudreve answers HTTP 200 whatever happened; its envelope's code tells.
    const code = dialect === 'cloudreve' && response.ok ? (JSON.parse(text) as { code?: number }).code : undefined;
    const accepted = response.ok && (code === undefined || code === 0);
    return { dialect, email, known, accepted, outcome: accepted ? 'accepted' : `HTTP ${response.status}${code === undefined ? '' : ` code ${code}`}` };
  } catch (error) {
    const cause = (error as Error & { cause?: { code?: string } }).cause;
    return { dialect, email, known, accepted: false, outcome: cause?.code ?? (error as Error).name };
  }
}

/**
 * Open-loop load: one request every 1/rate seconds, whatever the answers take (a server
 * that slows down meets the same arrivals, as it would in production), at most `inFlight`
 * at once; the dialects and servers in turn.
 */
export async function steadyLoad(options: {
  rate: number;
  seconds: number;
  servers: readonly { url: string }[];
  dialects: readonly DialectName[];
  address: (i: number) => { email: string; known: boolean };
  keys: ApiKeys;
  inFlight?: number;
}): Promise<Sent[]> {
  const results: Sent[] = [];
  const pending = new Set<Promise<void>>();
  const total = Math.round(options.rate * options.seconds);
  const start = Date.now();
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / options.rate;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    while (pending.size >= (options.inFlight ?? 64)) await Promise.race(pending);
    const { email, known } = options.address(i);
    const server = options.servers[i % options.servers.length]!;
    const dialect = options.dialects[Math.floor(i / options.servers.length) % options.dialects.length]!;
    const request: Promise<void> = send(server.url, dialect, email, known, options.keys).then((sent) => {
      results.push(sent);
      pending.delete(request);
    });
    pending.add(request);
  }
  await Promise.all(pending);
  return results;
}
