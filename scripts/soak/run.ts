/**
 * `npm run soak`: steady load through all five dialects' forgot-password operations against
 * two resetd servers and one worker on PostgreSQL, while PostgreSQL ends resetd's
 * connections, the mail server refuses for a while, and the worker is SIGKILLed and
 * restarted. Then it waits for the outbox to drain and counts: requests accepted, mails
 * delivered, duplicates, lost, restarts. Non-zero when an accepted request was lost or a
 * process died by itself. Loopback only; a PostgreSQL schema of its own, dropped at the end.
 *
 *   SOAK_SECONDS (120)   how long the load runs
 *   SOAK_RATE (20)       requests per second
 *   SOAK_POSTGRES        postgres://postgres@127.0.0.1:5432/test
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { DIALECTS } from '../../src/core/dialects.ts';
import { addUsers, createApiKey } from '../../test/support/admin.ts';
import { freePort } from '../../test/support/ports.ts';
import { ADMIN_TOKEN } from '../../test/support/resetd.ts';
import { startSmtpSink } from '../../test/support/smtp-sink.ts';
import { until } from '../../test/support/waiting.ts';
import { steadyLoad } from './load.ts';
import { Supervised } from './supervisor.ts';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 120);
const RATE = Number(process.env.SOAK_RATE ?? 20);
const POSTGRES = process.env.SOAK_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test';
/** One request in this many asks for an address nobody has: accepted alike, never mailed. */
const UNKNOWN_EVERY = 5;

process.chdir(fileURLToPath(new URL('../..', import.meta.url)));
const run = randomBytes(5).toString('hex');
const schema = `resetd_soak_${run}`;
// node-postgres takes application_name from the URL: it marks this soak's backends, and only them.
const applicationName = schema;
const logDir = mkdtempSync(join(tmpdir(), 'resetd-soak-'));
const admin = new pg.Client({ connectionString: POSTGRES });
const query = async <T>(sql: string, params: unknown[] = []) => (await admin.query(sql, params)).rows as T[];

const faults = { terminated: 0, terminationRounds: 0, refusals: 0, refusalWindows: 0, workerKills: 0 };
let refusing: { code: number; message: string } | null = null;
const sink = await startSmtpSink({
  refuse: () => {
    if (refusing) faults.refusals++;
    return refusing;
  },
});

const env = {
  DATABASE_URL: `${POSTGRES}${POSTGRES.includes('?') ? '&' : '?'}schema=${schema}&application_name=${applicationName}`,
  SMTP_URL: sink.url,
  RESETD_ADMIN_TOKEN: ADMIN_TOKEN,
  // One client (this script, on 127.0.0.1) sends everything: per-IP and per-key limits would
  // measure themselves. Per-account limits stay as shipped: every account is asked for once.
  RATE_LIMIT_IP: '0',
  RATE_LIMIT_API_KEY: '0',
  // Retries and takeovers within the soak's minutes, not production's hour.
  MAIL_RETRY_BASE_MS: '200',
  MAIL_MAX_ATTEMPTS: '25',
  MAIL_LEASE_MS: '3000',
};

const servers = [
  new Supervised('server-a', 'serve', { ...env, RESETD_WORKER: 'off' }, await freePort(), logDir),
  new Supervised('server-b', 'serve', { ...env, RESETD_WORKER: 'off' }, await freePort(), logDir),
];
const worker = new Supervised('worker', 'worker', env, 0, logDir);
const everyone = [...servers, worker];

let failed = false;
try {
  await admin.connect();
  await servers[0]!.start();
  await Promise.all([servers[1]!.start(), worker.start()]);

  const total = Math.round(SECONDS * RATE);
  const address = (i: number) =>
    i % UNKNOWN_EVERY === UNKNOWN_EVERY - 1
      ? { email: `stranger${i}-${run}@example.com`, known: false }
      : { email: `member${i}-${run}@example.com`, known: true };
  const known = Array.from({ length: total }, (_, i) => address(i)).filter((a) => a.known).map((a) => a.email);
  await addUsers(servers, known, 16);
  const keys = {
    maiascore: await createApiKey(servers[0]!, 'maiascore'),
    unleash: await createApiKey(servers[0]!, 'unleash'),
    quickblox: await createApiKey(servers[0]!, 'quickblox'),
  };
  console.log(`soak: ${SECONDS} s at ${RATE} requests/s through ${DIALECTS.length} dialects, 2 servers and a worker on PostgreSQL (schema ${schema}); logs in ${logDir}`);

  const end = Date.now() + SECONDS * 1000;
  const every = (ms: number, what: () => Promise<void>) =>
    (async () => {
      for (let next = Date.now() + ms; next < end; next += ms) {
        await new Promise((resolve) => setTimeout(resolve, next - Date.now()));
        await what();
      }
    })();
  const faultLoops = [
    // Every resetd backend, idle or mid-transaction, ended as a failover would.
    every(Math.max(3_000, (SECONDS * 1000) / 7), async () => {
      const [row] = await query<{ n: number }>(
        'SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()',
        [applicationName],
      );
      faults.terminated += row!.n;
      faults.terminationRounds++;
    }),
    // The mail server refuses for a tenth of the run, temporarily (4xx), then takes mail again.
    every(Math.max(4_000, (SECONDS * 1000) / 3), async () => {
      refusing = faults.refusalWindows % 2 ? { code: 421, message: '4.3.2 soak: service not available, closing' } : { code: 451, message: '4.3.0 soak: try again later' };
      faults.refusalWindows++;
      await new Promise((resolve) => setTimeout(resolve, Math.max(2_000, SECONDS * 100)));
      refusing = null;
    }),
    // The worker SIGKILLed mid-work; its supervisor starts it again.
    every(Math.max(5_000, (SECONDS * 1000) / 4), async () => {
      faults.workerKills++;
      await worker.kill();
    }),
  ];
  const results = await steadyLoad({ rate: RATE, seconds: SECONDS, servers, dialects: DIALECTS, address, keys });
  await Promise.all(faultLoops);
  refusing = null;

  // Drained: nothing pending or being sent (a row a killed worker left `sending` is taken over
  // when its lease runs out), and the sink has stopped receiving.
  const drainStart = Date.now();
  await until(
    async () => Number((await query<{ n: string }>(`SELECT count(*) AS n FROM ${schema}.outbox WHERE state IN ('pending', 'sending')`))[0]!.n) === 0,
    300_000,
    500,
  ).catch(() => console.log('soak: the outbox did not drain within 5 minutes'));
  const drainSeconds = ((Date.now() - drainStart) / 1000).toFixed(1);
  await new Promise((resolve) => setTimeout(resolve, 1_000));

  // What arrived, by recipient and by Message-ID.
  const byRecipient = new Map<string, number>();
  const byMessageId = new Map<string, number>();
  // resetd's Message-ID is <outbox id>.<token hash prefix>@host: the outbox item each mail is for.
  const byItem = new Map<string, number>();
  for (const mail of sink.messages) {
    const to = (mail.to as { value: { address?: string }[] }).value[0]?.address?.toLowerCase() ?? '';
    const messageId = mail.messageId ?? '';
    byRecipient.set(to, (byRecipient.get(to) ?? 0) + 1);
    byMessageId.set(messageId, (byMessageId.get(messageId) ?? 0) + 1);
    const item = /^<?([^.@>]+)/.exec(messageId)?.[1] ?? messageId;
    byItem.set(item, (byItem.get(item) ?? 0) + 1);
  }
  const itemsTwice = [...byItem].filter(([, n]) => n > 1).map(([item, n]) => `${item} ×${n}`);
  const accepted = results.filter((r) => r.accepted);
  const acceptedKnown = accepted.filter((r) => r.known);
  const sameMessageTwice = [...byMessageId.values()].reduce((sum, n) => sum + n - 1, 0);
  const secondMailToOne = [...byRecipient.values()].reduce((sum, n) => sum + n - 1, 0);
  const toStrangers = [...byRecipient.keys()].filter((to) => to.startsWith('stranger')).length;
  const states = await query<{ state: string; n: string }>(`SELECT state, count(*) AS n FROM ${schema}.outbox WHERE kind = 'reset' GROUP BY state ORDER BY state`);
  // An accepted request with no mail: lost, unless its row ended in a final state for a known reason.
  const explained: string[] = [];
  const lost: string[] = [];
  for (const request of acceptedKnown.filter((r) => !byRecipient.has(r.email))) {
    // A finished row forgets its address; a dead-lettered one keeps it (for `resetd mail retry`).
    const rows = await query<{ state: string; last_error: string | null }>(`SELECT state, last_error FROM ${schema}.outbox WHERE identifier = $1`, [request.email]);
    const final = rows.find((row) => row.state === 'dead' || row.state === 'throttled');
    if (final) explained.push(`${request.email}: ${final.state}${final.last_error ? ` (${final.last_error})` : ''}`);
    else lost.push(`${request.email} (${request.dialect}): ${rows.map((row) => row.state).join(', ') || 'no outbox row'}`);
  }
  const notAccepted = new Map<string, number>();
  for (const r of results.filter((r) => !r.accepted)) notAccepted.set(r.outcome, (notAccepted.get(r.outcome) ?? 0) + 1);
  const perDialect = DIALECTS.map((d) => `${d} ${accepted.filter((r) => r.dialect === d).length}/${results.filter((r) => r.dialect === d).length}`).join(', ');
  const planned = everyone.reduce((sum, p) => sum + p.planned, 0);
  const unplanned = everyone.reduce((sum, p) => sum + p.unplanned, 0);

  const exits = await Promise.all(everyone.map(async (p) => [p.name, await p.stop()] as const));
  const unclean = exits.filter(([, code]) => code !== 0);

  console.log(`requests sent       ${results.length}`);
  console.log(`requests accepted   ${accepted.length} (2xx; known addresses ${acceptedKnown.length}, unknown ${accepted.length - acceptedKnown.length}); per dialect accepted/sent: ${perDialect}`);
  console.log(`not accepted        ${results.length - accepted.length}${notAccepted.size ? ` (${[...notAccepted].map(([why, n]) => `${why}: ${n}`).join(', ')})` : ''}`);
  console.log(`mails delivered     ${sink.messages.length} to ${byRecipient.size} accounts (${byMessageId.size} distinct Message-IDs); outbox drained ${drainSeconds} s after the load`);
  console.log(`duplicates          ${sink.messages.length - byItem.size} (one outbox item mailed again${itemsTwice.length ? `: ${itemsTwice.slice(0, 10).join(', ')}` : ''}; the same Message-ID again: ${sameMessageTwice}; a second mail to one account: ${secondMailToOne})`);
  console.log(`lost                ${lost.length}${lost.length ? `: ${lost.slice(0, 10).join('; ')}` : ''}`);
  console.log(`not sent, known why ${explained.length}${explained.length ? `: ${explained.slice(0, 10).join('; ')}` : ''}`);
  console.log(`mails to strangers  ${toStrangers}`);
  console.log(`outbox (reset)      ${states.map((s) => `${s.state} ${s.n}`).join(', ')}`);
  console.log(`faults              ${faults.terminated} PostgreSQL backends terminated in ${faults.terminationRounds} rounds; SMTP refused ${faults.refusals} recipients in ${faults.refusalWindows} windows; worker SIGKILLed ${faults.workerKills} times`);
  console.log(`process restarts    planned ${planned}, unplanned ${unplanned}${unplanned ? `: ${everyone.flatMap((p) => p.deaths).join('; ')}` : ''}`);
  console.log(`stopped by SIGTERM  ${exits.map(([name, code]) => `${name} exit ${code}`).join(', ')}`);

  if (lost.length > 0 || unplanned > 0 || toStrangers > 0 || unclean.length > 0 || accepted.length === 0) {
    failed = true;
    console.log('soak: FAILED (lost accepted requests, a process that died by itself or stopped uncleanly, mail to an unknown address, or nothing accepted)');
  } else {
    console.log('soak: passed');
  }
} catch (error) {
  failed = true;
  console.error('soak: could not run:', error);
} finally {
  await Promise.all(everyone.map((p) => p.stop().catch(() => null)));
  await sink.close();
  await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => {});
  await admin.end().catch(() => {});
}
process.exit(failed ? 1 : 0);
