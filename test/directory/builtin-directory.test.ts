import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestResetd } from '../support/resetd.ts';
import { startTestResetd } from '../support/resetd.ts';
import { mailsTo, postJson } from '../support/tokens.ts';
import { capturingLogger } from '../support/logs.ts';
import { outboxSettled } from '../support/waiting.ts';
import { addUser, createApiKey } from '../support/admin.ts';

/** DIRECTORY=builtin: resetd's own users table, found by address, id or (maiascore) a name nobody else has. */
const { log, lines } = capturingLogger();
let resetd: TestResetd;
let maiascoreKey: string;

beforeAll(async () => {
  resetd = await startTestResetd({}, { log });
  maiascoreKey = await createApiKey(resetd, 'maiascore');
});
afterAll(() => resetd?.dispose());

const forgot = (id: string) => postJson(resetd, '/auth/forgot-password', { id }, { authorization: `Bearer ${maiascoreKey}` });

describe('maiascore names an account by id or name', () => {
  it('a name only one account has finds that account', async () => {
    await addUser(resetd, 'unique@example.com', { name: 'Unique Name' });
    expect((await forgot('unique name')).status).toBe(200);
    await outboxSettled(resetd);
    expect(mailsTo(resetd, 'unique@example.com')).toHaveLength(1);
  });

  it('an id finds its account even when a name equals it', async () => {
    const id = await addUser(resetd, 'by-id@example.com');
    await addUser(resetd, 'named-like-an-id@example.com', { name: id });
    expect((await forgot(id)).status).toBe(200);
    await outboxSettled(resetd);
    expect(mailsTo(resetd, 'by-id@example.com')).toHaveLength(1);
    expect(mailsTo(resetd, 'named-like-an-id@example.com')).toHaveLength(0);
  });

  it('a name two accounts share names nobody: no mail, the same answer, and a warning for the operator', async () => {
    await addUser(resetd, 'sam.one@example.com', { name: 'Sam' });
    await addUser(resetd, 'sam.two@example.com', { name: 'sam' });
    const shared = await forgot('Sam');
    const unknown = await forgot('nobody by that name');
    expect([shared.status, unknown.status]).toEqual([200, 200]);
    expect(await shared.json()).toEqual(await unknown.json());
    await outboxSettled(resetd);
    expect(mailsTo(resetd, 'sam.one@example.com').concat(mailsTo(resetd, 'sam.two@example.com'))).toEqual([]);
    // The two newest requests; finished, they no longer name who was asked for.
    const rows = await resetd.database.query<{ state: string }>(`SELECT state FROM outbox WHERE kind = 'reset' ORDER BY id DESC LIMIT 2`);
    expect(rows).toEqual([{ state: 'no_account' }, { state: 'no_account' }]);
    expect(lines).toContainEqual({ level: 'warn', event: 'directory.ambiguous', fields: expect.objectContaining({ directory: 'builtin', matches: 2 }) });
  });
});
