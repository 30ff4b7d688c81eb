/**
 * A loopback SMTP server that accepts every message and counts it, in a process of its own
 * (so counting never takes CPU from the process that sends). Prints `smtpPort httpPort`;
 * GET http://127.0.0.1:<httpPort>/ answers the count so far.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

let count = 0;
const smtp = new SMTPServer({
  authOptional: true,
  // smtp-server's built-in certificate has expired; the bench sends in plain text on loopback.
  disabledCommands: ['STARTTLS', 'AUTH'],
  logger: false,
  size: 1024 * 1024,
  onData(stream, _session, done) {
    stream.on('data', () => {});
    stream.on('end', () => {
      count++;
      done();
    });
  },
});
smtp.on('error', () => {});
await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
const http = createServer((_req, res) => res.end(String(count)));
await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
console.log(`${(smtp.server.address() as AddressInfo).port} ${(http.address() as AddressInfo).port}`);
process.on('SIGTERM', () => process.exit(0));
