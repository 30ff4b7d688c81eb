import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestResetd } from '../support/resetd.ts';
import { startTestResetd } from '../support/resetd.ts';
import { seed } from '../support/admin.ts';
import { countOutboxRows } from '../support/test-store.ts';

/**
 * Hostile input is answered with the dialect's documented error, and nothing is sent:
 * not even an outbox row is written.
 */
let resetd: TestResetd;
let keys: Awaited<ReturnType<typeof seed>>;

beforeAll(async () => {
  resetd = await startTestResetd({ RESETD_WORKER: 'off' });
  keys = await seed(resetd, ['alice@example.com']);
});
afterAll(() => resetd?.dispose());

const outboxRows = () => countOutboxRows(resetd.database);

type Sender = (body: string, contentType?: string) => Promise<Response>;
const post = (path: string, headers: Record<string, string> = {}): Sender => (body, contentType = 'application/json') =>
  fetch(`${resetd.url}${path}`, { method: 'POST', headers: { ...(contentType && { 'content-type': contentType }), ...headers }, body });

/** Each JSON dialect, with the status its documented "bad input" answer has. */
const JSON_DIALECTS: [string, () => Sender, number, string][] = [
  ['rocketchat', () => post('/api/v1/users.forgotPassword'), 400, 'email'],
  ['unleash', () => post('/auth/reset/password-email', { authorization: keys.unleash }), 400, 'email'],
  ['cloudreve', () => post('/api/v4/user/reset'), 200, 'email'],
  ['maiascore', () => post('/auth/forgot-password', { authorization: `Bearer ${keys.maiascore}` }), 400, 'id'],
];

const HOSTILE_VALUES: [string, unknown][] = [
  ['missing', undefined],
  ['empty', ''],
  ['null', null],
  ['a number', 42],
  ['an object', { $ne: null }],
  ['an array of two addresses', ['alice@example.com', 'bob@example.com']],
  ['10,000 characters', `${'a'.repeat(9_988)}@example.com`],
  ['CR/LF and a header inside', 'alice@example.com\r\nBcc: eve@example.com'],
  ['a NUL inside', 'alice@example.com\u0000eve@example.com'],
  ['two addresses, comma separated', 'alice@example.com,eve@example.com'],
  ['two addresses, space separated', 'alice@example.com eve@example.com'],
  ['a display name', 'Alice <alice@example.com>'],
  ['a quoted local part', '"alice"@example.com'],
];

describe.each(JSON_DIALECTS)('%s', (_name, sender, status, field) => {
  it.each(HOSTILE_VALUES)('refuses %s with its documented error, and writes nothing', async (_label, value) => {
    const before = await outboxRows();
    const body = value === undefined ? {} : { [field]: value };
    const response = await sender()(JSON.stringify(body));
    expect(response.status).toBe(status);
    const text = await response.text();
    if (status === 200) expect(JSON.parse(text).code).toBe(40001); // Cloudreve's envelope
    expect(text).not.toMatch(/\n\s+at |stack/i);
    expect(await outboxRows()).toBe(before);
  });

  it('refuses a body over 16 KiB with 413 (Cloudreve: in its envelope, code 413 with HTTP 200)', async () => {
    const response = await sender()(JSON.stringify({ [field]: 'alice@example.com', pad: 'x'.repeat(17_000) }));
    if (status === 200) expect({ status: response.status, code: ((await response.json()) as { code: number }).code }).toEqual({ status: 200, code: 413 });
    else expect(response.status).toBe(413);
  });

  it('refuses malformed JSON', async () => {
    const before = await outboxRows();
    const response = await sender()('{"email": "alice@example.com"');
    expect([400, 200]).toContain(response.status);
    expect(await outboxRows()).toBe(before);
  });
});

describe('content types', () => {
  it('Unleash answers 415 to a form, to text and to no content type', async () => {
    const send = post('/auth/reset/password-email', { authorization: keys.unleash });
    for (const type of ['application/x-www-form-urlencoded', 'text/plain', '']) {
      expect((await send('email=alice%40example.com', type)).status, type || 'none').toBe(415);
    }
  });

  it('maiascore answers 415 to text/xml (it takes application/xml)', async () => {
    expect((await post('/auth/forgot-password', { authorization: `Bearer ${keys.maiascore}` })('<item><id>a@b.co</id></item>', 'text/xml')).status).toBe(415);
  });
});

describe('QuickBlox query strings', () => {
  const get = (query: string) => fetch(`${resetd.url}/users/password/reset.json?${query}`, { headers: { 'QB-Token': keys.quickblox } });

  it.each([
    ['a repeated email parameter', 'email=alice%40example.com&email=eve%40example.com'],
    ['email[] syntax', 'email[]=alice%40example.com'],
    ['email as an object', 'email[$ne]=x'],
    ['no email', ''],
    ['an empty email', 'email='],
    ['CR/LF inside', 'email=alice%40example.com%0D%0ABcc%3Aeve%40example.com'],
  ])('answers 422 to %s, and writes nothing', async (_label, query) => {
    const before = await outboxRows();
    const response = await get(query);
    expect(response.status).toBe(422);
    expect(await response.json()).toHaveProperty('errors');
    expect(await outboxRows()).toBe(before);
  });
});

describe('XML attacks on maiascore', () => {
  const sendXml = (xml: string) => post('/auth/forgot-password', { authorization: `Bearer ${keys.maiascore}` })(xml, 'application/xml');

  it.each([
    ['an external entity', '<?xml version="1.0"?><!DOCTYPE item [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><item><id>&xxe;</id></item>'],
    ['a parameter entity', '<?xml version="1.0"?><!DOCTYPE item [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]><item><id>a@b.co</id></item>'],
    ['billion laughs', `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">${Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`).join('')}]><item><id>&lol9;</id></item>`],
    ['a bare DTD', '<!DOCTYPE item SYSTEM "http://127.0.0.1:9/dtd"><item><id>a@b.co</id></item>'],
    ['malformed XML', '<item><id>a@b.co</item>'],
    ['two roots', '<item><id>a@b.co</id></item><item><id>b@b.co</id></item>'],
  ])('refuses %s quickly, reading no file', async (_label, xml) => {
    const before = await outboxRows();
    const started = performance.now();
    const response = await sendXml(xml);
    expect(response.status).toBe(400);
    expect(await response.text()).not.toContain('root:');
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(await outboxRows()).toBe(before);
  });
});

describe('addresses are normalised once and never folded into another account', () => {
  // Rocket.Chat's spec types the address as a plain string, so the core's own check decides.
  const rocket = post('/api/v1/users.forgotPassword');
  // Row ids are time-ordered: the greatest is the newest.
  const pending = async () => (await resetd.database.query<{ identifier: string }>('SELECT identifier FROM outbox ORDER BY id DESC LIMIT 1'))[0]!.identifier;

  it.each([
    ['upper case', 'ALICE@EXAMPLE.COM', 'alice@example.com'],
    ['mixed case', 'Alice@Example.Com', 'alice@example.com'],
    ['decomposed accents (NFD)', 'Ame\u0301lie@example.com', 'amélie@example.com'],
    ['a Cyrillic а', '\u0430lice@example.com', '\u0430lice@example.com'],
    ['fullwidth letters', '\uff41lice@example.com', '\uff41lice@example.com'],
  ])('%s', async (_label, typed, stored) => {
    expect((await rocket(JSON.stringify({ email: typed }))).status).toBe(200);
    expect(await pending()).toBe(stored);
  });
});
