import { parseArgs } from 'node:util';
import { listDeadMail, outboxStats, retryDeadMail } from '../core/outbox.ts';
import type { CliIo } from './cli-support.ts';
import { clock, UsageError } from './cli-support.ts';

/** `resetd mail stats|dead|retry`: the outbox, for the operator. */

export async function mailStats(args: readonly string[], { out, withStore }: CliIo): Promise<number> {
  const { values } = parseArgs({ args: [...args], options: { json: { type: 'boolean' } } });
  const stats = await withStore((store) => outboxStats({ store, clock }));
  if (values.json) {
    out(JSON.stringify(stats));
    return 0;
  }
  const latency = stats.sendLatencyMs;
  out(`queue depth    ${stats.queueDepth} (pending ${stats.byState.pending}, sending ${stats.byState.sending})`);
  out(`sent           ${stats.byState.sent}`);
  out(`no account     ${stats.byState.no_account}`);
  out(`retried        ${stats.retried}`);
  out(`dead-lettered  ${stats.byState.dead}`);
  out(`send latency   ${latency ? `p50 ${latency.p50} ms, p95 ${latency.p95} ms, max ${latency.max} ms over ${latency.count} mails in the last hour` : 'no mail sent in the last hour'}`);
  return 0;
}

export async function mailDead(args: readonly string[], { out, withStore }: CliIo): Promise<number> {
  parseArgs({ args: [...args] });
  const dead = await withStore((store) => listDeadMail({ store }));
  if (dead.length === 0) out('no dead-lettered mail');
  for (const mail of dead) {
    out(`${mail.id}  ${mail.kind}  ${mail.origin}  ${mail.createdAt.toISOString()}  ${mail.attempts} attempts  ${mail.lastError ?? ''}`);
  }
  return 0;
}

export async function mailRetry(args: readonly string[], { out, err, withStore }: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({ args: [...args], allowPositionals: true, options: { all: { type: 'boolean' } } });
  if (values.all === (positionals.length > 0)) throw new UsageError('mail retry takes either IDs or --all');
  const count = await withStore((store) => retryDeadMail({ store, clock }, values.all ? null : positionals));
  if (count === 0) {
    // Nothing happened: say so, and fail when the operator named mail that is not dead-lettered.
    if (values.all) {
      out('no dead-lettered mail to retry');
      return 0;
    }
    err(`none of ${positionals.join(', ')} is dead-lettered mail (see resetd mail dead)`);
    return 1;
  }
  out(`${count} dead-lettered mail${count === 1 ? '' : 's'} queued again`);
  if (!values.all && count < positionals.length) {
    err(`${positionals.length - count} of the ids given ${positionals.length - count === 1 ? 'is' : 'are'} not dead-lettered mail`);
    return 1;
  }
  return 0;
}
