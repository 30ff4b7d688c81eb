/**
 * Does POST /api/auth/verify take longer for a registered account than for an address with
 * no account? Sends the same number of checks of each kind, interleaved in a shuffled order,
 * to a resetd in its own process (failure limits off), and prints median, p95 and a
 * two-sample Kolmogorov–Smirnov p-value of each kind against the unknown address. A right
 * password is shown for reference: it alone may differ (it answers 200). Prints numbers;
 * asserts nothing.
 *
 *   npx tsx scripts/bench/verify-timing.ts [checks-per-kind]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newId } from '../../src/core/secrets.ts';
import { argon2idHasher } from '../../src/password-hasher/argon2id-hasher.ts';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { startBenchResetd } from './bench-resetd.ts';
import { ksTwoSample, quantile } from './ks-test.ts';

const perKind = Math.max(50, Number(process.argv[2] ?? 300));
const PASSWORD = 'lantern orbit walnut seventeen';
const dir = mkdtempSync(join(tmpdir(), 'resetd-verify-timing-'));
const database = join(dir, 'verify.db');
const resetd = await startBenchResetd({ DATABASE_URL: `sqlite:${database}`, RATE_LIMIT_VERIFY_FAILURES: '0', RATE_LIMIT_VERIFY_FAILURES_IP: '0', RESETD_WORKER: 'off' });

// Users written straight into the table resetd serves, with resetd's own hash.
const store = openSqliteStore(database);
for (const [email, disabled] of [['known@example.com', false], ['disabled@example.com', true]] as const) {
  const passwordHash = await argon2idHasher.hash(PASSWORD);
  await store.addUser({ id: newId('usr'), email, emailKey: email, name: null, locale: null, disabled, passwordHash, createdAt: new Date() });
}
await store.close();
const key = await resetd.apiKey('resetd');

type Kind = 'unknown' | 'known, wrong password' | 'disabled' | 'known, right password';
const requests: Record<Kind, (n: number) => { email: string; password: string }> = {
  unknown: (n) => ({ email: `nobody${n}@example.com`, password: PASSWORD }),
  'known, wrong password': (n) => ({ email: 'known@example.com', password: `${PASSWORD} ${n}` }),
  disabled: () => ({ email: 'disabled@example.com', password: PASSWORD }),
  'known, right password': () => ({ email: 'known@example.com', password: PASSWORD }),
};
const kinds = Object.keys(requests) as Kind[];
const send = async (kind: Kind, n: number) => {
  const start = performance.now();
  const response = await resetd.post('/api/auth/verify', requests[kind](n), { authorization: `Bearer ${key}` });
  await response.arrayBuffer();
  return { ms: performance.now() - start, status: response.status };
};

for (let i = 0; i < 20; i++) for (const kind of kinds) await send(kind, i);

const order = kinds.flatMap((kind) => Array<Kind>(perKind).fill(kind));
for (let i = order.length - 1; i > 0; i--) {
  const j = Math.floor(Math.random() * (i + 1));
  [order[i], order[j]] = [order[j]!, order[i]!];
}
const times = Object.fromEntries(kinds.map((kind) => [kind, [] as number[]])) as Record<Kind, number[]>;
const statuses = Object.fromEntries(kinds.map((kind) => [kind, new Set<number>()])) as Record<Kind, Set<number>>;
let n = 1000;
for (const kind of order) {
  const { ms, status } = await send(kind, n++);
  times[kind].push(ms);
  statuses[kind].add(status);
}

const ms = (value: number) => `${value.toFixed(2).padStart(7)} ms`;
console.log(`verify timing: ${perKind} checks per kind, interleaved, sequential, keep-alive`);
const unknown = [...times.unknown].sort((a, b) => a - b);
for (const kind of kinds) {
  const sorted = [...times[kind]].sort((a, b) => a - b);
  const { p } = ksTwoSample(times[kind], times.unknown);
  const versus = kind === 'unknown' ? '' : `  median − unknown ${ms(quantile(sorted, 0.5) - quantile(unknown, 0.5))}  KS p ${p.toFixed(3)}`;
  console.log(`  ${kind.padEnd(22)} ${[...statuses[kind]].join('/')}  median ${ms(quantile(sorted, 0.5))}  p95 ${ms(quantile(sorted, 0.95))}${versus}`);
}
await resetd.stop();
rmSync(dir, { recursive: true, force: true });
