/**
 * SMTP servers on loopback that accept every mail and only count it, for benchmarks: parsing
 * thousands of mails (as test/support/smtp-sink.ts does) would cost more than sending them.
 * In a process of its own, started with fork(), so SMTP conversations do not share the load
 * generator's event loop. One listener per argument name; it sends {ports: {name: port}}
 * once all listen, and answers each 'count' message with {counts: {name: n}}.
 *
 *   fork('scripts/bench/counting-smtp-sink.ts', ['resetd', 'unleash'], { execArgv: ['--import', 'tsx'] })
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

const names = process.argv.slice(2);
const counts: Record<string, number> = {};
const ports: Record<string, number> = {};
for (const name of names) {
  counts[name] = 0;
  const server = new SMTPServer({
    // smtp-server's built-in certificate has expired: plain SMTP on loopback. No AUTH offered
    // either: Unleash always gives nodemailer a user (empty without EMAIL_USER), and nodemailer
    // refuses to log in with an empty one where the server offers AUTH.
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      stream.on('end', () => {
        counts[name]!++;
        callback();
      });
      stream.resume();
    },
  });
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  ports[name] = (server.server.address() as AddressInfo).port;
}
process.send?.({ ports });
process.on('message', (message) => {
  if (message === 'count') process.send?.({ counts });
});
// The benchmark that forked it is gone: so is the sink.
process.on('disconnect', () => process.exit(0));
