import { describe, expect, it } from 'vitest';
import { checkEmail, emailKey } from '../../src/core/email-address.ts';

/** The key of an address that must be accepted; fails the test when it is refused. */
function keyOf(raw: string): string {
  const result = checkEmail(raw);
  if (!result.ok) throw new Error(`${JSON.stringify(raw)} was refused as ${result.reason}`);
  return result.key;
}

describe('one mailbox is one account however it is typed', () => {
  it('an address in another letter case is the same account', () => {
    const key = keyOf('alice@example.com');
    expect(keyOf('Alice@Example.COM')).toBe(key);
    expect(keyOf('ALICE@EXAMPLE.COM')).toBe(key);
    expect(emailKey('aLiCe@eXaMpLe.CoM')).toBe(key);
  });

  it('the key is lower case and keeps the address otherwise as typed', () => {
    const result = checkEmail('Bob.Smith@Example.com');
    expect(result).toEqual({ ok: true, address: 'Bob.Smith@Example.com', key: 'bob.smith@example.com' });
  });

  it('a non-ASCII letter in another case is the same account', () => {
    expect(keyOf('ÄLICE@BÜCHER.DE')).toBe(keyOf('älice@bücher.de'));
  });

  it('a composed and a decomposed "é" are the same account', () => {
    const composed = 'jos\u00e9@example.com'; // é as one code point (NFC)
    const decomposed = 'jose\u0301@example.com'; // e + combining acute (NFD)
    expect(composed).not.toBe(decomposed);
    expect(keyOf(decomposed)).toBe(keyOf(composed));
    expect(emailKey(decomposed)).toBe(emailKey(composed));
  });

  it('a decomposed address is stored in its composed form', () => {
    const result = checkEmail('JOSE\u0301@example.com');
    expect(result.ok && result.address).toBe('JOS\u00c9@example.com');
    expect(result.ok && result.key).toBe('jos\u00e9@example.com');
  });
});

describe('two mailboxes are never folded into one account', () => {
  it('a Cyrillic "а" is not the Latin "a"', () => {
    const latin = 'alice@example.com';
    const cyrillic = '\u0430lice@example.com';
    expect(keyOf(cyrillic)).not.toBe(keyOf(latin));
    expect(emailKey(cyrillic)).not.toBe(emailKey(latin));
  });

  it('a Cyrillic look-alike domain is not the Latin domain', () => {
    expect(keyOf('alice@ex\u0430mple.com')).not.toBe(keyOf('alice@example.com'));
  });

  it('fullwidth letters are not their ASCII look-alikes', () => {
    const ascii = 'alice@example.com';
    expect(keyOf('\uff41lice@example.com')).not.toBe(keyOf(ascii)); // ａ
    expect(keyOf('\uff21LICE@example.com')).not.toBe(keyOf(ascii)); // Ａ
    expect(emailKey('\uff41\uff4c\uff49\uff43\uff45@example.com')).not.toBe(emailKey(ascii));
  });

  it('fullwidth letters in another case are still one account with each other', () => {
    expect(keyOf('\uff21lice@example.com')).toBe(keyOf('\uff41lice@example.com'));
  });

  it('plus tags and dots are not stripped', () => {
    const plain = keyOf('alice@example.com');
    expect(keyOf('alice+news@example.com')).not.toBe(plain);
    expect(keyOf('a.lice@example.com')).not.toBe(plain);
  });
});

describe('what is refused', () => {
  // 6 + 61 + 1 + 61 + 1 + 61 + 1 + 59 + 4 bytes; labels stay under 63 characters.
  const ADDRESS_OF_255_BYTES = `alice@${'a'.repeat(61)}.${'b'.repeat(61)}.${'c'.repeat(61)}.${'d'.repeat(59)}.com`;

  const refused: Array<[name: string, raw: string, reason?: 'empty' | 'too-long' | 'malformed']> = [
    ['the empty string', '', 'empty'],
    ['only spaces', '   ', 'malformed'],
    ['a space inside the local part', 'al ice@example.com', 'malformed'],
    ['a leading space', ' alice@example.com', 'malformed'],
    ['a trailing space', 'alice@example.com ', 'malformed'],
    ['a trailing CR LF (header injection)', 'alice@example.com\r\n', 'malformed'],
    ['an injected Bcc header', 'alice@example.com\r\nBcc: eve@evil.com', 'malformed'],
    ['a lone LF', 'alice@exam\nple.com', 'malformed'],
    ['a NUL in the local part', 'alice\u0000@example.com', 'malformed'],
    ['a NUL after the domain', 'alice@example.com\u0000', 'malformed'],
    ['a tab', 'alice\t@example.com', 'malformed'],
    ['no @', 'alice.example.com', 'malformed'],
    ['nothing before the @', '@example.com', 'malformed'],
    ['nothing after the @', 'alice@', 'malformed'],
    ['two @', 'alice@bob@example.com', 'malformed'],
    ['two addresses separated by a comma', 'a@x.com,b@x.com', 'malformed'],
    ['two addresses separated by a space', 'a@x.com b@x.com', 'malformed'],
    ['two addresses separated by a semicolon', 'a@x.com;b@x.com', 'malformed'],
    ['a comma in a single address', 'a,b@x.com', 'malformed'],
    ['a quoted local part', '"alice"@example.com', 'malformed'],
    ['a quoted local part with an @ inside', '"a@b"@example.com', 'malformed'],
    ['an address in angle brackets', '<alice@example.com>', 'malformed'],
    ['a display name with an address', 'Alice <alice@example.com>', 'malformed'],
    ['a domain without a dot', 'alice@localhost', 'malformed'],
    ['a domain label starting with "-"', 'alice@-example.com', 'malformed'],
    ['a domain label ending with "-"', 'alice@example-.com', 'malformed'],
    ['an empty domain label', 'alice@example..com', 'malformed'],
    ['a domain ending with a dot', 'alice@example.com.', 'malformed'],
    ['a local part starting with a dot', '.alice@example.com', 'malformed'],
    ['a local part with two dots in a row', 'al..ice@example.com', 'malformed'],
    ['an IP literal domain', 'alice@[127.0.0.1]', 'malformed'],
    ['a domain label longer than 63 characters', `alice@${'a'.repeat(64)}.com`, 'malformed'],
    ['a local part of 65 bytes', `${'a'.repeat(65)}@example.com`],
    ['a local part of 33 two-byte letters (66 bytes)', `${'é'.repeat(33)}@example.com`],
    ['an address of 255 bytes', ADDRESS_OF_255_BYTES, 'too-long'],
    ['a very long string', 'a'.repeat(100_000), 'too-long'],
  ];

  it.each(refused)('refuses %s', (_name, raw, reason) => {
    const result = checkEmail(raw);
    expect(result.ok).toBe(false);
    if (reason !== undefined) expect(result).toEqual({ ok: false, reason });
  });

  it('the 255-byte fixture really is 255 bytes, and one byte less is accepted', () => {
    const long = ADDRESS_OF_255_BYTES;
    expect(Buffer.byteLength(long)).toBe(255);
    const limit = long.replace('alice@', 'alic@');
    expect(Buffer.byteLength(limit)).toBe(254);
    expect(checkEmail(limit).ok).toBe(true);
  });

  it('the length limit counts UTF-8 bytes, not characters', () => {
    // 136 characters but 264 bytes: "é" takes two bytes in UTF-8.
    const raw = `a@${'é'.repeat(60)}.${'é'.repeat(60)}.${'é'.repeat(8)}.com`;
    expect(raw.length).toBeLessThanOrEqual(254);
    expect(Buffer.byteLength(raw)).toBeGreaterThan(254);
    expect(checkEmail(raw)).toEqual({ ok: false, reason: 'too-long' });
  });

  it('a local part of exactly 64 bytes is accepted', () => {
    expect(checkEmail(`${'a'.repeat(64)}@example.com`).ok).toBe(true);
    expect(checkEmail(`${'é'.repeat(32)}@example.com`).ok).toBe(true);
  });
});

describe('what is accepted', () => {
  const accepted: Array<[name: string, raw: string]> = [
    ['plus-addressing', 'alice+resets@example.com'],
    ['a dotted local part', 'alice.m.smith@example.com'],
    ['the other dot-atom characters', "o'brien_x-y=z#1!$%&*/?^`{|}~@example.com"],
    ['a subdomain', 'alice@mail.eu.example.com'],
    ['a hyphen inside a domain label', 'alice@my-company.example'],
    ['a punycode domain', 'alice@xn--bcher-kva.de'],
    ['digits', '1234@123.example.com'],
    ['accented Latin letters', 'jörg.müller@bücher.de'],
    ['Cyrillic letters', 'пользователь@пример.рф'],
    ['Greek letters', 'χρήστης@παράδειγμα.ελ'],
    ['Chinese characters', '用户@例子.广告'],
    ['Japanese characters', 'ユーザー@例え.jp'],
  ];

  it.each(accepted)('accepts %s', (_name, raw) => {
    const result = checkEmail(raw);
    expect(result).toMatchObject({ ok: true, address: raw.normalize('NFC') });
  });

  it('accepts letters written with combining marks, such as Devanagari "नितिन@example.com"', () => {
    expect(checkEmail('नितिन@example.com')).toMatchObject({ ok: true });
    expect(checkEmail('ผู้ใช้@ตัวอย่าง.ไทย')).toMatchObject({ ok: true });
  });

  it('a label does not start with a combining mark', () => {
    expect(checkEmail('a@\u0301x.com')).toMatchObject({ ok: false });
  });
});
