/**
 * Does the answer's timing tell a registered address from an unregistered one? For each
 * dialect, sends ≥ 2,000 requests of each kind, interleaved in a shuffled order, to a
 * resetd in its own process (worker on, dev mailbox, default per-account mail limits) and
 * prints both latency distributions, the median difference and a two-sample
 * Kolmogorov–Smirnov p-value. A control run (one unregistered address repeated against
 * fresh unregistered ones) shows how large the differences of noise alone are on this
 * machine. Prints numbers; asserts nothing.
 *
 *   npm run bench:timing [-- requests-per-kind]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBenchResetd } from './bench-resetd.ts';
import { ksTwoSample, quantile } from './ks-test.ts';

const perKind = Math.max(2000, Number(process.argv[2] ?? 2000));
const dir = mkdtempSync(join(tmpdir(), 'resetd-timing-'));
const resetd = await startBenchResetd({ DATABASE_URL: `sqlite:${join(dir, 'timing.db')}` });
const { url, post } = resetd;
const KNOWN = 'registered@example.com';
await resetd.addUser(KNOWN);
const keys = { maiascore: await resetd.apiKey('maiascore'), unleash: await resetd.apiKey('unleash'), quickblox: await resetd.apiKey('quickblox') };

type Send = (email: string) => Promise<Response>;
const dialects: [string, Send][] = [
  ['rocketchat', (email) => post('/api/v1/users.forgotPassword', { email })],
  ['maiascore', (email) => post('/auth/forgot-password', { id: email }, { authorization: `Bearer ${keys.maiascore}` })],
  ['unleash', (email) => post('/auth/reset/password-email', { email }, { authorization: keys.unleash })],
  ['cloudreve', (email) => post('/api/v4/user/reset', { email })],
  ['quickblox', (email) => fetch(`${url}/users/password/reset.json?email=${encodeURIComponent(email)}`, { headers: { 'qb-token': keys.quickblox } })],
];

const us = (ms: number) => `${(ms * 1000).toFixed(0).padStart(6)} µs`;
console.log(`enumeration timing: ${perKind} registered and ${perKind} unregistered requests per dialect, interleaved, sequential, keep-alive`);
// Warm the whole path (JIT, caches) before anything is measured.
for (let i = 0; i < 1000; i++) for (const [, send] of dialects) await (await send(i % 2 ? KNOWN : `warmup${i}@example.com`)).arrayBuffer();

/** Fisher–Yates: every order equally likely, so neither kind clusters early or late in the run. */
function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

async function measure(name: string, send: Send, registered: string) {
  const order = shuffle([...Array(perKind).fill(true), ...Array(perKind).fill(false)]);
  const known: number[] = [];
  const unknown: number[] = [];
  const bodies = new Set<string>();
  let n = 0;
  for (const isKnown of order) {
    const email = isKnown ? registered : `nobody${n++}@example.com`;
    const start = performance.now();
    const response = await send(email);
    const body = await response.text();
    (isKnown ? known : unknown).push(performance.now() - start);
    bodies.add(`${response.status} ${body.replace(/[0-9a-f-]{36}/g, '<uuid>')}`);
  }
  const k = [...known].sort((a, b) => a - b);
  const u = [...unknown].sort((a, b) => a - b);
  const { d, p } = ksTwoSample(known, unknown);
  console.log(`\n${name}: ${bodies.size === 1 ? 'one answer for both kinds' : `ANSWERS DIFFER: ${[...bodies].join(' | ')}`}`);
  for (const [label, sorted] of [['registered  ', k], ['unregistered', u]] as const) {
    console.log(`  ${label}  p10 ${us(quantile(sorted, 0.1))}  p50 ${us(quantile(sorted, 0.5))}  p90 ${us(quantile(sorted, 0.9))}  p99 ${us(quantile(sorted, 0.99))}`);
  }
  console.log(`  median difference ${((quantile(k, 0.5) - quantile(u, 0.5)) * 1000).toFixed(1)} µs, KS D = ${d.toFixed(4)}, p = ${p.toFixed(3)}`);
}

for (const [name, send] of dialects) {
  await measure(name, send, KNOWN);
  await measure(`${name} (control: an unregistered address in the registered one's place)`, send, 'ghost@example.com');
}
await resetd.stop();
rmSync(dir, { recursive: true, force: true });
