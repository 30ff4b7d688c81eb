import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseXmlBody } from '../../src/http/xml-body.ts';

/** A line of the local passwd file, to prove its content never reaches a parsed body. */
const PASSWD_MARKER = (() => {
  try {
    return readFileSync('/etc/passwd', 'utf8').split('\n')[0] || 'root:';
  } catch {
    return 'root:';
  }
})();

describe('maiascore XML bodies', () => {
  it('the seed example reads as {id: "string"}', () => {
    const seed = '<?xml version="1.0" encoding="utf-8"?><item><id>string</id></item>';
    expect(parseXmlBody(seed)).toEqual({ ok: true, body: { id: 'string' } });
  });

  it('an email address in <id> is read as text, not as a number or anything else', () => {
    expect(parseXmlBody('<item><id>alice@example.com</id></item>')).toEqual({
      ok: true,
      body: { id: 'alice@example.com' },
    });
    expect(parseXmlBody('<item><id>0012</id></item>')).toEqual({ ok: true, body: { id: '0012' } });
  });

  it('whitespace and line breaks around elements and values are not part of the value', () => {
    const pretty = '<?xml version="1.0"?>\n<item>\n  <id>\n    alice\n  </id>\n</item>\n';
    expect(parseXmlBody(pretty)).toEqual({ ok: true, body: { id: 'alice' } });
  });

  it('a root with only text in it has no fields', () => {
    expect(parseXmlBody('<item>text</item>')).toEqual({ ok: true, body: {} });
  });

  it('an empty root has no fields', () => {
    expect(parseXmlBody('<item></item>')).toEqual({ ok: true, body: {} });
    expect(parseXmlBody('<item/>')).toEqual({ ok: true, body: {} });
  });

  it('a repeated <id> becomes an array, for validation to refuse', () => {
    expect(parseXmlBody('<item><id>a</id><id>b</id></item>')).toEqual({ ok: true, body: { id: ['a', 'b'] } });
  });

  it('attributes are ignored: only elements become fields', () => {
    expect(parseXmlBody('<item id="attacker"><id>alice</id></item>')).toEqual({ ok: true, body: { id: 'alice' } });
  });
});

describe('document type declarations are refused', () => {
  const xxeFile = `<?xml version="1.0"?>
<!DOCTYPE item [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<item><id>&xxe;</id></item>`;

  const xxeParameter = `<?xml version="1.0"?>
<!DOCTYPE item [<!ENTITY % ext SYSTEM "file:///etc/passwd"> %ext;]>
<item><id>x</id></item>`;

  const billionLaughs = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<item><id>&lol9;</id></item>`;

  const refused: Array<[name: string, xml: string]> = [
    ['an external entity reading /etc/passwd', xxeFile],
    ['an external parameter entity', xxeParameter],
    ['billion laughs (nested entity expansion)', billionLaughs],
    ['a bare DOCTYPE', '<!DOCTYPE item><item><id>alice</id></item>'],
    ['a DOCTYPE in lower case', '<!doctype item><item><id>alice</id></item>'],
    ['a DOCTYPE with an external DTD', '<!DOCTYPE item SYSTEM "http://attacker.example/x.dtd"><item><id>a</id></item>'],
    ['an internal entity', '<!DOCTYPE item [<!ENTITY name "alice">]><item><id>&name;</id></item>'],
  ];

  it.each(refused)('refuses %s', (_name, xml) => {
    const result = parseXmlBody(xml);
    expect(result).toEqual({ ok: false });
    expect(JSON.stringify(result)).not.toContain(PASSWD_MARKER);
    expect(JSON.stringify(result)).not.toContain('root:');
  });

  it('refuses billion laughs quickly, without expanding it', () => {
    const started = performance.now();
    expect(parseXmlBody(billionLaughs)).toEqual({ ok: false });
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('an entity reference without a declaration does not become file content', () => {
    const result = parseXmlBody('<item><id>&xxe;</id></item>');
    expect(JSON.stringify(result)).not.toContain(PASSWD_MARKER);
    expect(JSON.stringify(result)).not.toContain('root:');
  });
});

describe('malformed XML is refused', () => {
  const malformed: Array<[name: string, text: string]> = [
    ['an empty body', ''],
    ['plain text', 'alice@example.com'],
    ['JSON', '{"id":"alice"}'],
    ['an unclosed element', '<item><id>alice</id>'],
    ['mismatched tags', '<item><id>alice</item></id>'],
    ['a closing tag of another name', '<item><id>alice</name></item>'],
    ['two root elements', '<item><id>a</id></item><item><id>b</id></item>'],
    ['only a declaration', '<?xml version="1.0"?>'],
    ['text after the root', '<item><id>a</id></item>trailing'],
    ['a bare "<" in text', '<item><id>a<b</id></item>'],
  ];

  it.each(malformed)('refuses %s', (_name, text) => {
    expect(parseXmlBody(text)).toEqual({ ok: false });
  });
});

describe('the predefined entities', () => {
  it('are decoded, so an address with & or an apostrophe can be sent as XML', () => {
    expect(parseXmlBody("<item><id>o&apos;neil&amp;co@example.com</id></item>")).toEqual({
      ok: true,
      body: { id: "o'neil&co@example.com" },
    });
  });
});
