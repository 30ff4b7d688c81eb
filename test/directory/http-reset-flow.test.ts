import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DirectoryReceiver } from '../support/directory-receiver.ts';
import { startDirectoryReceiver } from '../support/directory-receiver.ts';
import type { TestResetd } from '../support/resetd.ts';
import { startTestResetd } from '../support/resetd.ts';
import { linkIn, mailsTo, postJson, requestToken } from '../support/tokens.ts';
import { outboxSettled, until } from '../support/waiting.ts';

/**
 * A reset through resetd with the accounts in the application (DIRECTORY=http): resetd
 * asks the application who an address belongs to, mails that account in its language, and
 * hands the new password to the application, whose answer decides.
 */
const SECRET = 'http-flow-directory-secret';
const GOOD = 'correct horse battery staple';
let receiver: DirectoryReceiver;
let resetd: TestResetd;

interface AppAccount {
  id: string;
  email: string;
  name?: string;
  locale?: string;
  disabled?: boolean;
}
let accounts: AppAccount[];
let passwords: Map<string, string>;
let findsToFail: number;

beforeAll(async () => {
  receiver = await startDirectoryReceiver(SECRET);
  receiver.answer = ({ payload }) => {
    if (payload.action === 'find') {
      if (findsToFail > 0) {
        findsToFail--;
        return { status: 503 };
      }
      const account = accounts.find((a) => a.email.toLowerCase() === payload.identifier || a.id === payload.identifier);
      return account ? { status: 200, json: account } : { status: 404 };
    }
    if (payload.action === 'set-password') {
      const password = String(payload.password);
      if (password.includes('refuse')) return { status: 422, json: { reasons: ['Choose a password you have not used before.'] } };
      passwords.set(String(payload.id), password);
      return { status: 204 };
    }
    return { status: 204 };
  };
  resetd = await startTestResetd({ DIRECTORY: 'http', DIRECTORY_URL: receiver.url, DIRECTORY_SECRET: SECRET, RATE_LIMIT_RESET_FAILURES: '1000' });
});
afterAll(async () => {
  await resetd?.dispose();
  await receiver?.close();
});
beforeEach(() => {
  accounts = [
    { id: '42', email: 'Ada@Example.com', name: 'Ada Lovelace', locale: 'de' },
    { id: '43', email: 'grace@example.com' },
    { id: '44', email: 'banned@example.com', disabled: true },
  ];
  passwords = new Map();
  findsToFail = 0;
});

const forgot = (email: string) => postJson(resetd, '/api/v1/users.forgotPassword', { email });
/** Asks for `address` in lower case; the mail goes to the application's spelling of it. */
const tokenFor = (address: string) => requestToken(resetd, address.toLowerCase(), { path: '/api/v1/users.forgotPassword', to: address });

describe('finding the account in the application', () => {
  it('mails the account the application names, in its language and by its name', async () => {
    await tokenFor('Ada@Example.com');
    const mail = mailsTo(resetd, 'Ada@Example.com')[0]!;
    expect(mail.text).toContain('Hallo Ada Lovelace,');
    const find = receiver.calls.find((call) => call.payload.action === 'find' && call.payload.identifier === 'ada@example.com');
    expect(find).toBeDefined();
  });

  it('an application that is down when the worker asks: the request waits and its mail arrives once it is back', async () => {
    findsToFail = 3;
    const before = mailsTo(resetd, 'grace@example.com').length;
    expect((await forgot('grace@example.com')).status).toBe(200);
    await until(() => mailsTo(resetd, 'grace@example.com').length > before);
    expect(findsToFail).toBe(0);
    // The worker records "sent" just after the mail is handed over.
    await outboxSettled(resetd);
    // The newest request: a finished one no longer names its address.
    const [item] = await resetd.database.query<{ attempts: number; state: string }>(`SELECT attempts, state FROM outbox WHERE kind = 'reset' ORDER BY id DESC LIMIT 1`);
    expect(item).toEqual({ attempts: 4, state: 'sent' });
  });

  it('unknown and disabled accounts get the same answer and no mail', async () => {
    const unknown = await forgot('nobody@example.com');
    const disabled = await forgot('banned@example.com');
    expect([unknown.status, disabled.status]).toEqual([200, 200]);
    expect(await unknown.json()).toEqual(await disabled.json());
    await until(async () => {
      const rows = await resetd.database.query<{ state: string }>(`SELECT state FROM outbox WHERE kind = 'reset' ORDER BY id DESC LIMIT 2`);
      return rows.length === 2 && rows.every((row) => row.state === 'no_account');
    });
    expect(mailsTo(resetd, 'nobody@example.com').concat(mailsTo(resetd, 'banned@example.com'))).toEqual([]);
  });

  it('an answer naming an account of another address mails nobody, and the request is kept for a retry', async () => {
    accounts.push({ id: '45', email: 'victim@example.com' });
    receiver.answer = ((previous) => (call) =>
      call.payload.action === 'find' && call.payload.identifier === 'attacker@example.com'
        ? { status: 200, json: { id: '45', email: 'victim@example.com' } }
        : previous(call))(receiver.answer);
    expect((await forgot('attacker@example.com')).status).toBe(200);
    await until(async () => {
      const [row] = await resetd.database.query<{ last_error: string | null }>(`SELECT last_error FROM outbox WHERE identifier = 'attacker@example.com'`);
      return Boolean(row?.last_error);
    });
    const [row] = await resetd.database.query<{ state: string; last_error: string }>(`SELECT state, last_error FROM outbox WHERE identifier = 'attacker@example.com'`);
    expect(['pending', 'sending', 'dead']).toContain(row!.state);
    expect(row!.last_error).toMatch(/not the one asked for/);
    expect(mailsTo(resetd, 'victim@example.com')).toEqual([]);
    expect(mailsTo(resetd, 'attacker@example.com')).toEqual([]);
  });
});

describe('setting the password in the application', () => {
  it('the application receives the new password for its account id; then the link is spent and the notice is mailed', async () => {
    const token = await tokenFor('grace@example.com');
    const done = await postJson(resetd, '/api/reset/complete', { token, password: GOOD });
    expect(done.status).toBe(200);
    expect(passwords.get('43')).toBe(GOOD);
    expect((await postJson(resetd, '/api/reset/complete', { token, password: `${GOOD} 2` })).status).toBe(410);
    expect(passwords.get('43')).toBe(GOOD);
    await until(() => mailsTo(resetd, 'grace@example.com').some((mail) => /changed/i.test(mail.subject)));
  });

  it('a password the application refuses shows its reasons, and the same link then works', async () => {
    const token = await tokenFor('grace@example.com');
    const refused = await postJson(resetd, '/api/reset/complete', { token, password: 'please refuse this password' });
    expect(refused.status).toBe(422);
    expect((await refused.json()).errors).toEqual([{ code: 'refused', message: 'Choose a password you have not used before.' }]);
    expect(passwords.has('43')).toBe(false);
    expect((await postJson(resetd, '/api/reset/complete', { token, password: GOOD })).status).toBe(200);
    expect(passwords.get('43')).toBe(GOOD);
  });

  it('an application that cannot be reached: try again in a moment, and the same link then works', async () => {
    const token = await tokenFor('grace@example.com');
    const answer = receiver.answer;
    receiver.answer = (call) => (call.payload.action === 'set-password' ? { status: 502 } : answer(call));
    const down = await postJson(resetd, '/api/reset/complete', { token, password: GOOD });
    expect(down.status).toBe(503);
    expect(down.headers.get('retry-after')).toBe('5');
    receiver.answer = answer;
    expect((await postJson(resetd, '/api/reset/complete', { token, password: GOOD })).status).toBe(200);
    expect(passwords.get('43')).toBe(GOOD);
  });

  it('two completions racing with one link: the application is asked once', async () => {
    const token = await tokenFor('grace@example.com');
    const before = receiver.calls.filter((call) => call.payload.action === 'set-password').length;
    const statuses = await Promise.all(
      Array.from({ length: 6 }, (_, i) => postJson(resetd, '/api/reset/complete', { token, password: `${GOOD} ${i}` }).then((r) => r.status)),
    );
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status === 410)).toHaveLength(5);
    expect(receiver.calls.filter((call) => call.payload.action === 'set-password').length - before).toBe(1);
  });
});

describe('limits and the webhook with the application’s accounts', () => {
  let limited: TestResetd;
  let hook: DirectoryReceiver;
  const HOOK_SECRET = 'http-flow-webhook-secret';

  beforeAll(async () => {
    hook = await startDirectoryReceiver(HOOK_SECRET);
    limited = await startTestResetd({
      DIRECTORY: 'http',
      DIRECTORY_URL: receiver.url,
      DIRECTORY_SECRET: SECRET,
      RATE_LIMIT_EMAIL_PER_MINUTE: '1',
      WEBHOOK_URL: hook.url,
      WEBHOOK_SECRET: HOOK_SECRET,
    });
  });
  afterAll(async () => {
    await limited?.dispose();
    await hook?.close();
  });

  it('the per-account mail limit counts the application’s account, however its address is written', async () => {
    const ask = (email: string) => postJson(limited, '/api/v1/users.forgotPassword', { email });
    expect((await ask('ada@example.com')).status).toBe(200);
    expect((await ask('ADA@example.com')).status).toBe(200);
    await until(async () => {
      const rows = await limited.database.query<{ state: string }>(`SELECT state FROM outbox WHERE kind = 'reset' ORDER BY created_at`);
      return rows.length === 2 && rows.every((row) => row.state !== 'pending' && row.state !== 'sending');
    });
    const states = await limited.database.query<{ state: string }>(`SELECT state FROM outbox WHERE kind = 'reset' ORDER BY created_at`);
    // Both are in flight at once (the worker keeps a window of deliveries): which one takes
    // the minute's one mail is not fixed, only that exactly one does.
    expect(states.map((row) => row.state).sort()).toEqual(['sent', 'throttled']);
    expect(mailsTo(limited, 'Ada@Example.com')).toHaveLength(1);
  });

  it('the webhook names the application’s account id, signed', async () => {
    const [mail] = mailsTo(limited, 'Ada@Example.com');
    const done = await postJson(limited, '/api/reset/complete', { token: linkIn(mail!).searchParams.get('token')!, password: GOOD });
    expect(done.status).toBe(200);
    await until(() => hook.calls.length > 0);
    expect(hook.calls[0]!.payload).toMatchObject({ event: 'password.changed', userId: '42', email: 'Ada@Example.com' });
    await until(() => mailsTo(limited, 'Ada@Example.com').some((m) => /geändert/.test(m.subject)));
  });
});
