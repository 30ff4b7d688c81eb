import { XMLParser, XMLValidator } from 'fast-xml-parser';

/**
 * Reads a small XML document (maiascore's `<item><id>…</id></item>`) into a plain object.
 * Document type declarations are refused outright: no DTD, no entities, so no external
 * file is read and no entity expansion can blow memory up.
 */
const parser = new XMLParser({
  ignoreAttributes: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  // Only the five predefined entities remain possible: any DOCTYPE is refused below.
  processEntities: true,
  // Numeric references (&#64;) too, so an address can be written any way XML allows.
  htmlEntities: true,
  parseTagValue: false,
  trimValues: true,
});

export function parseXmlBody(text: string): { ok: true; body: unknown } | { ok: false } {
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) return { ok: false };
  if (XMLValidator.validate(text) !== true) return { ok: false };
  let document: Record<string, unknown>;
  try {
    document = parser.parse(text) as Record<string, unknown>;
  } catch {
    // The parser refuses names such as __proto__ or constructor: unreadable, not a failure of resetd.
    return { ok: false };
  }
  const roots = Object.values(document);
  if (roots.length !== 1) return { ok: false };
  const root = roots[0];
  // An element with only text (or nothing) inside has no fields: `{}` lets validation say what is missing.
  return { ok: true, body: typeof root === 'object' && root !== null ? root : {} };
}
