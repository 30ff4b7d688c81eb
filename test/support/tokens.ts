import type { TestResetd } from './resetd.ts';
import { ADMIN_TOKEN } from './resetd.ts';
import { until } from './waiting.ts';

export async function addUser(resetd: TestResetd, email: string, extra: Record<string, string | boolean> = {}): Promise<string> {
  const response = await fetch(`${resetd.url}/admin/users`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ email, ...extra }),
  });
  if (response.status !== 201) throw new Error(`adding ${email}: ${response.status}`);
  return ((await response.json()) as { id: string }).id;
}

/** Asks for a reset through Cloudreve's endpoint and returns the link from the dev mailbox. */
export async function requestLink(resetd: TestResetd, email: string, path = '/api/v4/user/reset'): Promise<string> {
  const mailbox = resetd.mailbox!;
  const seen = new Set(mailbox.list().map((mail) => mail.id));
  await fetch(`${resetd.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email }),
  });
  const fresh = () => mailbox.list().find((m) => !seen.has(m.id) && m.to === email && /https?:\/\//.test(m.text));
  await until(() => fresh() !== undefined).catch(() => {
    throw new Error(`no reset mail for ${email}`);
  });
  return fresh()!.text.match(/https?:\/\/\S+/)![0];
}

export async function requestToken(resetd: TestResetd, email: string): Promise<string> {
  return new URL(await requestLink(resetd, email)).searchParams.get('token')!;
}

export function postJson(resetd: TestResetd, path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${resetd.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}
