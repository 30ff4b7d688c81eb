import type { DevMessage } from '../../src/mail/dev-mailbox.ts';
import type { Reachable } from './admin.ts';
import type { TestResetd } from './resetd.ts';
import { until } from './waiting.ts';

/** Sends `body` as JSON to `path` of a running resetd. */
function sendJson(method: string, at: Reachable, path: string, body: unknown, headers: Record<string, string>) {
  return fetch(`${at.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

/** POSTs `body` as JSON to `path` of a running resetd. */
export function postJson(at: Reachable, path: string, body: unknown, headers: Record<string, string> = {}) {
  return sendJson('POST', at, path, body, headers);
}

/** PATCHes `body` as JSON to `path` of a running resetd (Cloudreve's completion). */
export function patchJson(at: Reachable, path: string, body: unknown, headers: Record<string, string> = {}) {
  return sendJson('PATCH', at, path, body, headers);
}

/** The dev mailbox's mail to `address`, spelled as resetd addresses it (the stored spelling), newest first. */
export function mailsTo(resetd: TestResetd, address: string): DevMessage[] {
  return resetd.mailbox!.list().filter((mail) => mail.to === address);
}

/** The first link in a mail's text. */
export function linkIn(mail: Pick<DevMessage, 'text'>): URL {
  return new URL(mail.text.match(/https?:\/\/\S+/)![0]);
}

/** From now on: `next()` waits for the first new mail to `to` that holds a link. */
export function watchMail(resetd: TestResetd, to: string): { next(): Promise<DevMessage> } {
  const seen = new Set(resetd.mailbox!.list().map((mail) => mail.id));
  const fresh = () => mailsTo(resetd, to).find((mail) => !seen.has(mail.id) && /https?:\/\//.test(mail.text));
  return {
    async next() {
      await until(() => fresh() !== undefined).catch(() => {
        throw new Error(`no new mail with a link to ${to}`);
      });
      return fresh()!;
    },
  };
}

export interface MailRequest {
  /** The endpoint asked, with `{ email }` as JSON: Cloudreve's unless said. */
  path?: string;
  headers?: Record<string, string>;
  /** Whose mail to wait for, as resetd addresses it: the address asked for unless said. */
  to?: string;
}

/** Asks for a reset and answers the mail it brings, from the dev mailbox; an answer that is not 2xx throws. */
export async function requestMail(resetd: TestResetd, email: string, { path = '/api/v4/user/reset', headers = {}, to = email }: MailRequest = {}): Promise<DevMessage> {
  const mail = watchMail(resetd, to);
  const response = await postJson(resetd, path, { email }, headers);
  if (!response.ok) throw new Error(`asking ${path} for ${email}: ${response.status} ${await response.text()}`);
  return mail.next();
}

/** Asks for a reset and answers the link of the mail it brings. */
export async function requestLink(resetd: TestResetd, email: string, request: MailRequest = {}): Promise<URL> {
  return linkIn(await requestMail(resetd, email, request));
}

/** Asks for a reset and answers the token in the link of the mail it brings. */
export async function requestToken(resetd: TestResetd, email: string, request: MailRequest = {}): Promise<string> {
  return (await requestLink(resetd, email, request)).searchParams.get('token')!;
}
