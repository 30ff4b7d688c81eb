import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, createApiKey } from '../support/admin.ts';
import type { LogLine } from '../support/logs.ts';
import { capturingLogger } from '../support/logs.ts';
import type { TestResetd } from '../support/resetd.ts';
import { ADMIN_TOKEN, startTestResetd } from '../support/resetd.ts';

/** Every admin action leaves one audit line: who, what, which record; never a secret. */
let resetd: TestResetd;
let lines: LogLine[];

beforeAll(async () => {
  const logger = capturingLogger();
  lines = logger.lines;
  resetd = await startTestResetd({ RESETD_WORKER: 'off' }, { log: logger.log });
});

afterAll(async () => {
  await resetd?.dispose();
});

const audits = () => lines.filter((line) => line.event === 'audit').map((line) => line.fields);
const actor = `admin:${createHash('sha256').update(ADMIN_TOKEN, 'utf8').digest('hex').slice(0, 12)}`;

describe('the audit log of the admin API', () => {
  it('names the admin token by a fingerprint, the action and the record, for a user and for an API key', async () => {
    const user = await addUser(resetd, 'audited@example.com', { password: 'correct horse battery staple' });
    const key = await createApiKey(resetd, 'maiascore');
    const keyId = (await resetd.database.query<{ id: string }>('SELECT id FROM api_keys'))[0]!.id;

    expect(audits()).toEqual([
      { action: 'user.add', actor, user, requestId: expect.any(String) },
      { action: 'api_key.create', actor, keyId, dialect: 'maiascore', requestId: expect.any(String) },
    ]);
    // Each audit line carries the id of the request that did it, as its access line does.
    const accessOf = (requestId: unknown) => lines.find((line) => line.event === 'request' && line.fields?.requestId === requestId)?.fields;
    expect(audits().map((audit) => accessOf(audit?.requestId))).toEqual([
      expect.objectContaining({ operation: 'adminCreateUser', status: 201 }),
      expect.objectContaining({ operation: 'adminCreateApiKey', status: 201 }),
    ]);
    const logged = JSON.stringify(lines);
    for (const secret of [ADMIN_TOKEN, key, 'audited@example.com', 'correct horse battery staple']) expect(logged).not.toContain(secret);
  });

  it('a refused action leaves no audit line', async () => {
    const before = audits().length;
    const again = await fetch(`${resetd.url}/admin/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` },
      body: JSON.stringify({ email: 'audited@example.com' }),
    });
    expect(again.status).toBe(409);
    expect(audits()).toHaveLength(before);
  });
});
