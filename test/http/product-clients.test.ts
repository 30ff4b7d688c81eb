import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { RestClient } from '@rocket.chat/api-client';
import type { QBConfig, QBError, QBSession } from 'quickblox';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { SinkMark, SmtpSink } from '../support/smtp-sink.ts';
import { startSmtpSink } from '../support/smtp-sink.ts';
import type { TestResetd } from '../support/resetd.ts';
import { startTestResetd } from '../support/resetd.ts';
import { tempDir } from '../support/temp-dir.ts';
import { outboxSettled } from '../support/waiting.ts';
import { seed } from '../support/admin.ts';

/**
 * The products' own client libraries from the npm registry, unchanged, pointed at a running
 * resetd: Rocket.Chat's `@rocket.chat/api-client` RestClient and the `quickblox` JS SDK.
 * Each must take resetd's answer as its product's success; a registered address ends with
 * exactly one mail at a real SMTP server, an unregistered one with the same client-visible
 * result and no mail. Every HTTP request the clients make is checked to stay on loopback.
 */

// quickblox is CommonJS (`module.exports = QB`) while its types say `export default`:
// require it so the value and the type agree.
type QuickBlox = typeof import('quickblox').default;
const QB = createRequire(import.meta.url)('quickblox') as QuickBlox;

let sink: SmtpSink;
let resetd: TestResetd;
let keys: Awaited<ReturnType<typeof seed>>;
let tlsFront: TlsFront;
const restoreCa = https.globalAgent.options.ca;

const REGISTERED = {
  rocketchat: 'rc-known@example.com',
  rocketchatMarker: 'rc-marker@example.com',
  quickblox: 'qb-known@example.com',
  quickbloxMarker: 'qb-marker@example.com',
  quickbloxRetry: 'qb-retry@example.com',
};

// --- nothing leaves loopback -------------------------------------------------------------

/** Every URL the process's HTTP stacks were asked to open while this file ran. */
const opened: URL[] = [];
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

function allowOnlyLoopback(url: URL): void {
  opened.push(url);
  if (!LOOPBACK.has(url.hostname)) throw new Error(`a client tried to reach ${url.href}; only loopback is allowed`);
}

function urlOfNodeRequest(protocol: string, args: unknown[]): URL {
  const [first] = args;
  if (typeof first === 'string' || first instanceof URL) return new URL(first);
  const options = (first ?? {}) as { hostname?: string; host?: string; port?: number | string; path?: string };
  const host = options.hostname ?? options.host ?? 'localhost';
  return new URL(`${protocol}//${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${options.port ?? ''}${options.path ?? '/'}`);
}

function guardNetwork(): void {
  // Global fetch: what @rocket.chat/api-client uses.
  const realFetch = globalThis.fetch;
  vi.spyOn(globalThis, 'fetch').mockImplementation((input, init) => {
    try {
      allowOnlyLoopback(new URL(input instanceof Request ? input.url : String(input)));
    } catch (error) {
      return Promise.reject(error);
    }
    return realFetch(input, init);
  });
  // http.request / https.request: what quickblox's node-fetch@2 uses.
  for (const [protocol, module] of [['http:', http], ['https:', https]] as const) {
    const realRequest = module.request;
    vi.spyOn(module, 'request').mockImplementation(((...args: unknown[]) => {
      allowOnlyLoopback(urlOfNodeRequest(protocol, args));
      return (realRequest as (...a: unknown[]) => http.ClientRequest).apply(module, args);
    }) as never);
  }
}

// --- an HTTPS front for the QuickBlox SDK ------------------------------------------------

interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

interface TlsFront {
  /** host:port, as QuickBlox's `endpoints.api` takes it. */
  host: string;
  /** The front's self-signed certificate, the only one the clients are told to trust. */
  cert: string;
  /** Every request the front received, as the client sent it. */
  seen: SeenRequest[];
  close(): Promise<void>;
}

/**
 * The QuickBlox SDK always builds `https://${endpoints.api}/...` (its Utils.getUrl hard-codes
 * the scheme), and resetd serves plain HTTP: this is a TLS terminator on loopback with a
 * throwaway certificate for 127.0.0.1, passing each request unchanged to resetd.
 */
async function startTlsFront(target: string): Promise<TlsFront> {
  const dir = tempDir('tls');
  let key: string;
  let cert: string;
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', dir.file('key.pem'), '-out', dir.file('cert.pem'), '-days', '2',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
    ], { stdio: 'pipe' });
    key = readFileSync(dir.file('key.pem'), 'utf8');
    cert = readFileSync(dir.file('cert.pem'), 'utf8');
  } finally {
    dir.remove();
  }
  const seen: SeenRequest[] = [];
  const server = https.createServer({ key, cert }, (req, res) => {
    seen.push({ method: req.method!, url: req.url!, headers: req.headers });
    const upstream = http.request(new URL(req.url!, target), { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode!, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', (error) => {
      res.writeHead(502).end(String(error));
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    cert,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// --- the running resetd ------------------------------------------------------------------

beforeAll(async () => {
  guardNetwork();
  sink = await startSmtpSink();
  resetd = await startTestResetd({ SMTP_URL: sink.url });
  keys = await seed(resetd, Object.values(REGISTERED));
  tlsFront = await startTlsFront(resetd.url);
  // node-fetch@2 (inside quickblox) uses https.globalAgent: trust the front's certificate, and nothing else.
  https.globalAgent.options.ca = tlsFront.cert;
});

afterAll(async () => {
  https.globalAgent.options.ca = restoreCa;
  https.globalAgent.destroy();
  await tlsFront?.close();
  await resetd?.dispose();
  await sink?.close();
  vi.restoreAllMocks();
  expect(opened.length).toBeGreaterThan(0);
  expect(opened.filter((url) => !LOOPBACK.has(url.hostname)).map((url) => url.href)).toEqual([]);
});

/**
 * Checks that the only mail since `mails` is the one for `address`, once every request has
 * had its mail sent or refused: after a request for an unregistered address and one for the
 * registered `address`, a mail for the first would be here too.
 */
async function expectOnlyMailFor(mails: SinkMark, address: string): Promise<void> {
  await mails.next();
  await outboxSettled(resetd);
  expect(mails.since().map((mail) => mail.to)).toEqual([expect.objectContaining({ text: address })]);
}

/** Checks that no mail came since `mails`, once every request has had its mail sent or refused. */
async function expectNoMailSince(mails: SinkMark): Promise<void> {
  await outboxSettled(resetd);
  expect(mails.since()).toEqual([]);
}

// --- Rocket.Chat: @rocket.chat/api-client ------------------------------------------------

describe('Rocket.Chat: @rocket.chat/api-client RestClient', () => {
  const client = () => new RestClient({ baseUrl: resetd.url });
  const forgotPasswordUrl = () => `${resetd.url}/api/v1/users.forgotPassword`;
  const fetchCallsTo = (url: string) => vi.mocked(globalThis.fetch).mock.calls.filter(([input]) => String(input) === url);

  it('users.forgotPassword for a registered address resolves with success: true and sends it exactly one mail', async () => {
    const mails = sink.mark();
    const calls = fetchCallsTo(forgotPasswordUrl()).length;

    const result: unknown = await client().post('/v1/users.forgotPassword', { email: REGISTERED.rocketchat });

    expect(result).toEqual({ success: true, status: 'success' });
    // The client went to resetd itself, as a Rocket.Chat server's REST API.
    const sent = fetchCallsTo(forgotPasswordUrl()).slice(calls);
    expect(sent).toHaveLength(1);
    const [, init] = sent[0]!;
    expect(init).toMatchObject({ method: 'POST', body: JSON.stringify({ email: REGISTERED.rocketchat }) });
    expect(init!.headers).toMatchObject({ Accept: 'application/json', 'Content-Type': 'application/json' });

    await expectOnlyMailFor(mails, REGISTERED.rocketchat);
  });

  it('users.forgotPassword for an unregistered address resolves with the same value and sends no mail', async () => {
    const mails = sink.mark();

    const unknown: unknown = await client().post('/v1/users.forgotPassword', { email: 'rc-nobody@example.com' });
    const known: unknown = await client().post('/v1/users.forgotPassword', { email: REGISTERED.rocketchatMarker });

    expect(unknown).toEqual(known);
    expect(unknown).toEqual({ success: true, status: 'success' });
    await expectOnlyMailFor(mails, REGISTERED.rocketchatMarker);
  });

  it("users.forgotPassword without an email rejects with the 400 Response whose error is \"The 'email' param is required\"", async () => {
    const mails = sink.mark();

    const rejection: unknown = await client()
      .post('/v1/users.forgotPassword', {} as { email: string })
      .then(
        () => expect.unreachable('the client resolved a request without an email'),
        (error: unknown) => error,
      );

    // RestClient rejects with the fetch Response for any status but 2xx (after reading a 400's
    // body for a two-factor challenge); the caller reads the error from its JSON.
    expect(rejection).toBeInstanceOf(Response);
    const response = rejection as Response;
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ success: false, error: "The 'email' param is required" });
    await expectNoMailSince(mails);
  });
});

// --- QuickBlox: the quickblox JS SDK -----------------------------------------------------

describe('QuickBlox: the quickblox JS SDK', () => {
  const APP_ID = 1;

  /**
   * QB.init with a session token in place of an application id: the SDK keeps the token as its
   * session and calls no session API. The config (5th argument) is only applied when an account
   * key is given; with custom endpoints the SDK never fetches account settings.
   */
  function initWith(token: string, sessionExpired?: Required<QBConfig>['on']['sessionExpired']): void {
    const config: QBConfig = {
      endpoints: { api: tlsFront.host, chat: '127.0.0.1' },
      initBlockOnSettings: false,
      // The SDK's config is a module singleton: null clears a hook an earlier test set.
      on: { sessionExpired: sessionExpired ?? (null as never) },
    };
    const log = vi.spyOn(console, 'log').mockImplementation(() => {}); // "current platform: ..."
    try {
      QB.init(token, APP_ID, null, 'unused-with-custom-endpoints', config);
    } finally {
      log.mockRestore();
    }
    expect(QB.service.qbInst.config.endpoints.api).toBe(tlsFront.host);
    expect(QB.service.qbInst.session).toEqual({ token });
  }

  const resetPassword = (email: string) =>
    new Promise<{ error: QBError | null | undefined; result: unknown }>((resolve) => {
      QB.users.resetPassword(email, ((error: QBError | null | undefined, result: unknown) => resolve({ error, result })) as never);
    });

  it('users.resetPassword for a registered address calls back with no error and sends it exactly one mail', async () => {
    initWith(keys.quickblox);
    const mails = sink.mark();
    const seen = tlsFront.seen.length;

    const { error, result } = await resetPassword(REGISTERED.quickblox);

    expect(error).toBeNull();
    // QuickBlox answers 200 with an empty body: ''. The SDK turns a failed connection into a
    // "success" with result ' ' (qbProxy: "response doesn't exist if server will return empty
    // body"), so no error alone proves nothing; the request at the front and the mail do.
    expect(result).toBe('');
    // What the SDK sent, as resetd's HTTPS front received it.
    const sent = tlsFront.seen.slice(seen);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      method: 'GET',
      url: `/users/password/reset.json?email=${encodeURIComponent(REGISTERED.quickblox)}`,
      headers: { 'qb-token': keys.quickblox, host: tlsFront.host },
    });
    expect(sent[0]!.headers['qb-sdk']).toMatch(/^JS 2\./);

    await expectOnlyMailFor(mails, REGISTERED.quickblox);
  });

  it('users.resetPassword for an unregistered address calls back the same way and sends no mail', async () => {
    initWith(keys.quickblox);
    const mails = sink.mark();

    const unknown = await resetPassword('qb-nobody@example.com');
    const known = await resetPassword(REGISTERED.quickbloxMarker);

    expect(unknown).toEqual(known);
    expect(unknown).toEqual({ error: null, result: '' });
    await expectOnlyMailFor(mails, REGISTERED.quickbloxMarker);
  });

  it("users.resetPassword with a blank email calls back with QuickBlox's 422 \"can't be blank\" error and sends no mail", async () => {
    initWith(keys.quickblox);
    const mails = sink.mark();

    const { error, result } = await resetPassword('');

    expect(result).toBeNull();
    expect(error).toMatchObject({ code: 422 });
    expect(JSON.parse(String(error!.message))).toEqual({ errors: { email: ["can't be blank"] } });
    await expectNoMailSince(mails);
  });

  it("a token resetd did not issue is an expired session to the SDK: its sessionExpired hook runs and the retry with a valid token succeeds", async () => {
    const expired: unknown[] = [];
    initWith('not-a-resetd-key', (next, retry) => {
      expired.push(next);
      retry({ token: keys.quickblox } as QBSession);
    });
    const mails = sink.mark();
    const seen = tlsFront.seen.length;

    const { error, result } = await resetPassword(REGISTERED.quickbloxRetry);

    expect(expired).toHaveLength(1); // resetd's 401 "Required session does not exist" is what the SDK looks for
    expect(error).toBeNull();
    expect(result).toBe('');
    expect(tlsFront.seen.slice(seen).map((request) => request.headers['qb-token'])).toEqual(['not-a-resetd-key', keys.quickblox]);
    expect((await mails.next()).to).toMatchObject({ text: REGISTERED.quickbloxRetry });
  });
});
