import type { AddressInfo } from 'node:net';
import type { ParsedMail } from 'mailparser';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface SmtpSinkOptions {
  /** Listen on this port (0: any free one). */
  port?: number;
  /** Refuses a recipient with an SMTP reply, or accepts it (null). `attempt` counts from 1 per address. */
  refuse?: (recipient: string, attempt: number) => { code: number; message: string } | null;
  /** Holds each message this long before accepting it (a slow server). */
  delayMs?: number;
}

/** A message as it came over the wire: the envelope the client gave, and the text byte for byte. */
export interface WireMessage {
  from: string;
  to: string[];
  text: Buffer;
}

export interface SmtpSink {
  url: string;
  port: number;
  messages: ParsedMail[];
  /** The same messages, in the same order, as they came over the wire. */
  wire: WireMessage[];
  /** Resolves once `count` messages have arrived (or rejects after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<ParsedMail[]>;
  /** Marks this point in the messages received. */
  mark(): SinkMark;
  close(): Promise<void>;
}

/** A point in a sink's messages. */
export interface SinkMark {
  /** Waits for the first message after the mark (rejects after `timeoutMs`). */
  next(timeoutMs?: number): Promise<ParsedMail>;
  /** Every message after the mark. */
  since(): ParsedMail[];
}

/** A real SMTP server on loopback that keeps and parses every message it accepts. */
export async function startSmtpSink(options: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const messages: ParsedMail[] = [];
  const wire: WireMessage[] = [];
  const waiters: (() => void)[] = [];
  const attempts = new Map<string, number>();
  const server = new SMTPServer({
    authOptional: true,
    // smtp-server's built-in certificate has expired: plain SMTP on loopback.
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      const attempt = (attempts.get(address.address) ?? 0) + 1;
      attempts.set(address.address, attempt);
      const refusal = options.refuse?.(address.address, attempt);
      if (!refusal) return callback();
      const error = new Error(refusal.message) as Error & { responseCode: number };
      error.responseCode = refusal.code;
      callback(error);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const text = Buffer.concat(chunks);
        simpleParser(text)
          .then(async (mail) => {
            if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
            const from = session.envelope.mailFrom;
            wire.push({ from: from ? from.address : '', to: session.envelope.rcptTo.map((to) => to.address), text });
            messages.push(mail);
            for (const wake of waiters) wake();
            callback();
          })
          .catch(callback);
      });
    },
  });
  // A client that dies mid-conversation (the crash test kills resetd) resets its socket: a
  // real server shrugs that off.
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  const sink: SmtpSink = {
    url: `smtp://127.0.0.1:${port}`,
    port,
    messages,
    wire,
    waitFor(count, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (messages.length >= count) {
            clearTimeout(timer);
            resolve(messages);
            return true;
          }
          return false;
        };
        const timer = setTimeout(
          () => reject(new Error(`expected ${count} messages, got ${messages.length}`)),
          timeoutMs,
        );
        if (!check()) waiters.push(() => void check());
      });
    },
    mark() {
      const before = messages.length;
      return {
        next: async (timeoutMs) => (await sink.waitFor(before + 1, timeoutMs))[before]!,
        since: () => messages.slice(before),
      };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  return sink;
}
