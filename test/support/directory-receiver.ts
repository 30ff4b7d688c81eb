import type { ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifySignature } from '../../src/signature/resetd-signature.ts';

/** One call as the receiver saw it. Only calls with a valid signature are recorded here. */
export interface ReceivedCall {
  method: string;
  path: string;
  contentType: string | undefined;
  signature: string;
  /** The exact bytes of the body, as text: the signature covers these. */
  body: string;
  payload: { action: string; [key: string]: unknown };
}

/** What the receiver answers a signed call with. */
export interface Answer {
  status: number;
  /** Sent as JSON. */
  json?: unknown;
  /** Sent as is, instead of `json`. */
  text?: string;
  headers?: Record<string, string>;
  /** Waits this long before answering. */
  delayMs?: number;
  /** Waits until this settles before answering (a slow application the test releases). */
  hold?: Promise<unknown>;
  /** Streams this many bytes of JSON-ish filler, chunked, without a content-length. */
  floodBytes?: number;
}

export interface DirectoryReceiver {
  url: string;
  calls: ReceivedCall[];
  /** Calls without a valid signature: answered 401 and not recorded in `calls`. */
  refused: number;
  /** Paths asked for, signed or not (to see whether a redirect was followed). */
  paths: string[];
  /** Floods the receiver wrote to the end (a client that stops reading leaves them unfinished). */
  floodsFinished: number;
  /** Floods whose connection closed, finished or not. */
  floodsClosed: number;
  /** Set per test; the default answers every call with 204. */
  answer: (call: ReceivedCall) => Answer;
  close(): Promise<void>;
}

/** A stand-in for the application on 127.0.0.1 (a free port) that checks resetd's signature. */
export async function startDirectoryReceiver(secret: string): Promise<DirectoryReceiver> {
  const receiver: DirectoryReceiver = {
    url: '',
    calls: [],
    refused: 0,
    paths: [],
    floodsFinished: 0,
    floodsClosed: 0,
    answer: () => ({ status: 204 }),
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    receiver.paths.push(req.url ?? '');
    const signature = String(req.headers['resetd-signature'] ?? '');
    if (!verifySignature(secret, body, signature)) {
      receiver.refused++;
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"bad signature"}');
      return;
    }
    const call: ReceivedCall = {
      method: req.method ?? '',
      path: req.url ?? '',
      contentType: req.headers['content-type'],
      signature,
      body,
      payload: JSON.parse(body),
    };
    receiver.calls.push(call);
    await send(receiver, receiver.answer(call), res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/resetd/directory`;
  return receiver;
}

async function send(receiver: DirectoryReceiver, answer: Answer, res: ServerResponse): Promise<void> {
  if (answer.delayMs) await new Promise((resolve) => setTimeout(resolve, answer.delayMs));
  if (answer.hold) await answer.hold.catch(() => {});
  if (res.destroyed) return;
  if (answer.floodBytes) return flood(receiver, answer, res);
  const body = answer.text ?? (answer.json === undefined ? '' : JSON.stringify(answer.json));
  const headers = { ...(body ? { 'content-type': 'application/json' } : {}), ...answer.headers };
  res.writeHead(answer.status, headers).end(body);
}

/** Writes as fast as the client reads, so the flood stops once the client stops reading. */
async function flood(receiver: DirectoryReceiver, answer: Answer, res: ServerResponse): Promise<void> {
  res.once('close', () => receiver.floodsClosed++);
  res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
  const chunk = Buffer.alloc(16 * 1024, 'x');
  let left = answer.floodBytes!;
  res.write('"');
  while (left > 0 && !res.destroyed) {
    if (!res.write(chunk)) {
      await new Promise((resolve) => {
        res.once('drain', resolve);
        res.once('close', resolve);
      });
    }
    left -= chunk.length;
  }
  if (res.destroyed) return;
  res.end('"');
  receiver.floodsFinished++;
}
