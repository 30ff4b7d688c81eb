import pg from 'pg';
import type { ApiKey } from '../../core/store.ts';
import { keptApiKeys } from '../kept-api-keys.ts';

/** The channel api_keys' trigger notifies (migration 'api_keys_changed'), with the table's schema as payload. */
export const API_KEYS_CHANNEL = 'resetd_api_keys';

/** application_name of the listening connection. */
export const LISTENER_NAME = 'resetd api-key listener';

const RELISTEN_AFTER_MS = 1_000;
/** The listening connection is asked every second; one not heard from for this long is taken for lost. */
const HEARTBEAT_MS = 1_000;
const SILENCE_MS = 3_000;

export interface ApiKeyCache {
  find(keyHash: string, lookup: () => Promise<ApiKey | undefined>): Promise<ApiKey | undefined>;
  /** This instance changed api_keys: forget every key before answering anyone. */
  forget(): void;
  close(): Promise<void>;
}

/**
 * Valid API keys, kept in memory so the dialects that take one do not pay a round trip to
 * PostgreSQL on every reset request. A revoked key is refused at once all the same: every
 * change to api_keys, by any instance, the CLI or an operator's SQL, fires a trigger whose
 * NOTIFY empties the cache of every instance listening; this instance's own revocations
 * empty it before they return. While the listening connection is down (or not yet up) the
 * cache is bypassed and each lookup asks the database, so a notice missed in that gap
 * cannot leave a revoked key in memory; a connection that dies without a word (a network
 * cut) is found by a heartbeat, so that gap is at most SILENCE_MS. Unknown keys are never kept (a flood of wrong keys
 * cannot fill memory). The connection is opened at the first lookup: processes that never
 * check keys (the worker, the CLI) never open it.
 */
export function apiKeyCache(connectionString: string, schema: string): ApiKeyCache {
  const keys = keptApiKeys();
  let listening = false;
  let lastHeard = 0;
  let client: pg.Client | null = null;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;
  let heartbeat: NodeJS.Timeout | undefined;
  const trusted = () => listening && performance.now() - lastHeard < SILENCE_MS;

  const forget = () => keys.forget();

  const listen = async () => {
    if (closed || client) return;
    // Named, so pg_stat_activity tells it from the pool's connections.
    const next = new pg.Client({ connectionString, application_name: LISTENER_NAME });
    client = next;
    const lost = () => {
      if (client !== next) return;
      listening = false;
      client = null;
      clearInterval(heartbeat);
      forget();
      next.end().catch(() => {});
      if (!closed) retry = setTimeout(() => void listen(), RELISTEN_AFTER_MS);
    };
    next.on('error', lost);
    next.on('end', lost);
    next.on('notification', (notice) => {
      lastHeard = performance.now();
      if (notice.channel === API_KEYS_CHANNEL && notice.payload === schema) forget();
    });
    try {
      await next.connect();
      await next.query(`LISTEN ${API_KEYS_CHANNEL}`);
      if (client !== next) return;
      // Anything that changed before LISTEN took effect is not in memory: start empty.
      forget();
      listening = true;
      lastHeard = performance.now();
      let asking = false;
      heartbeat = setInterval(() => {
        // Silent too long (a cut connection answers nothing, not even an error): start over.
        if (performance.now() - lastHeard > SILENCE_MS) return lost();
        if (asking) return;
        asking = true;
        next.query('SELECT 1').then(() => {
          asking = false;
          lastHeard = performance.now();
        }, lost);
      }, HEARTBEAT_MS);
      heartbeat.unref();
    } catch {
      lost();
    }
  };

  return {
    async find(keyHash, lookup) {
      if (!client && !closed) void listen();
      const known = trusted() ? keys.get(keyHash) : undefined;
      if (known) return known;
      const seen = keys.generation;
      const key = await lookup();
      if (key && trusted()) keys.keep(keyHash, key, seen);
      return key;
    },
    forget,
    async close() {
      closed = true;
      listening = false;
      clearTimeout(retry);
      clearInterval(heartbeat);
      const open = client;
      client = null;
      await open?.end().catch(() => {});
    },
  };
}
