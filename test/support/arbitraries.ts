import { readFileSync } from 'node:fs';
import { deflateSync, gzipSync } from 'node:zlib';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv';
import ajvFormats from 'ajv-formats';
import fc from 'fast-check';
import { OpenAPIBackend } from 'openapi-backend';
import type { Document } from 'openapi-backend';
import { parse } from 'yaml';
import { SPEC_PATH } from '../../src/http/spec.ts';

/**
 * fast-check arbitraries for requests to every operation of generated/openapi.yaml, built
 * from the spec itself: valid requests from the schemas, invalid ones by mutating the
 * values, the way they are encoded, the content type, the size or the credentials.
 *
 * A request is generated as a plan, then rendered (credentials and live tokens filled in)
 * and classified by what resetd will actually read: the JSON, form or XML body as its
 * parsers see it, the query as URLSearchParams sees it, the credentials against the keys,
 * all checked with ajv against the operation's own schemas. `invalid` only where that is
 * certain; `unknown` where the encoding leaves room for doubt.
 */

type Schema = Record<string, any>;
const spec = parse(readFileSync(SPEC_PATH, 'utf8')) as Record<string, any>;

const ajv = new Ajv2020({ strict: false, allErrors: false });
ajvFormats.default(ajv as never);
ajv.addSchema(spec, 'spec');

const router = new OpenAPIBackend({ definition: structuredClone(spec) as Document, quick: true, validate: false });
router.init();

/** The operation resetd routes `method pathname` to, if any (the same matcher as contract.ts). */
export function matchOperation(method: string, pathname: string): string | null {
  return router.matchOperation({ method, path: pathname, headers: {}, query: {} })?.operationId ?? null;
}

/** What the body parser accepts at most (koa-bodyparser's '16kb'). */
export const BODY_LIMIT = 16 * 1024;

/** Placeholders replaced, when a request is rendered, by a freshly minted token or its user. */
export const SENTINEL = { liveToken: 'FUZZxLIVExTOKEN', expiredToken: 'FUZZxEXPIREDxTOKEN', user: 'FUZZxLIVExUSER' } as const;

// ---------------------------------------------------------------------------------------
// The spec's operations

export interface Param {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required: boolean;
  schema: Schema;
  validate: ValidateFunction;
}

export interface Operation {
  id: string;
  method: string;
  path: string;
  params: Param[];
  /** Media type → schema, when the operation takes a body. */
  body?: Map<string, { schema: Schema; validate: ValidateFunction; jsonUnderForm?: boolean; stream?: boolean }>;
  bodyRequired: boolean;
  /** Alternative requirements, each scheme name → scopes; empty: no credentials needed. */
  security: Record<string, string[]>[];
}

const pointer = (...parts: string[]) => parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

/** Follows `$ref`s; returns the node and the JSON pointer it lives at. */
function deref(node: any, at: string): { node: any; at: string } {
  while (node && typeof node.$ref === 'string') {
    at = node.$ref.replace(/^#/, '');
    node = at.split('/').slice(1).map((p: string) => p.replace(/~1/g, '/').replace(/~0/g, '~')).reduce((n: any, k: string) => n?.[k], spec);
  }
  return { node, at };
}

function compile(at: string): ValidateFunction {
  const validate = ajv.getSchema(`spec#${at}`);
  if (!validate) throw new Error(`no schema at ${at}`);
  return validate;
}

const METHODS = ['get', 'head', 'post', 'put', 'patch', 'delete', 'options'];

export function operations(): Operation[] {
  const out: Operation[] = [];
  for (const [path, rawItem] of Object.entries(spec.paths as Record<string, any>)) {
    const item = deref(rawItem, `/${pointer('paths', path)}`);
    for (const method of METHODS) {
      const operation = item.node[method];
      if (!operation?.operationId) continue;
      const base = `${item.at}/${method}`;
      const params: Param[] = [];
      const declared = [
        ...(item.node.parameters ?? []).map((p: any, i: number) => deref(p, `${item.at}/parameters/${i}`)),
        ...(operation.parameters ?? []).map((p: any, i: number) => deref(p, `${base}/parameters/${i}`)),
      ];
      for (const { node, at } of declared) {
        params.push({ name: node.name, in: node.in, required: node.required === true, schema: node.schema ?? {}, validate: compile(`${at}/schema`) });
      }
      let body: Operation['body'];
      let bodyRequired = false;
      if (operation.requestBody) {
        const rb = deref(operation.requestBody, `${base}/requestBody`);
        bodyRequired = rb.node.required === true;
        body = new Map();
        for (const [media, content] of Object.entries(rb.node.content ?? {}) as [string, any][]) {
          const at = `${rb.at}/${pointer('content', media, 'schema')}`;
          body.set(media, { schema: content.schema ?? {}, validate: compile(at), jsonUnderForm: content['x-resetd-json-under-form'] === true, stream: content['x-resetd-stream'] === true });
        }
      }
      out.push({ id: operation.operationId, method: method.toUpperCase(), path, params, body, bodyRequired, security: operation.security ?? spec.security ?? [] });
    }
  }
  return out;
}

/** An object schema with `$ref`s and `allOf` folded in (enough for generating values). */
function flat(schema: Schema | undefined): Schema {
  const s = deref(schema ?? {}, '').node ?? {};
  if (!Array.isArray(s.allOf)) return s;
  const out: Schema = { ...s, allOf: undefined, properties: { ...(s.properties ?? {}) }, required: [...(s.required ?? [])] };
  for (const part of s.allOf.map(flat)) {
    Object.assign(out.properties, part.properties ?? {});
    out.required.push(...(part.required ?? []));
    if (part.type && !out.type) out.type = part.type;
    if (part.additionalProperties === false) out.additionalProperties = false;
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Credentials, from the security schemes

export type SecretName = 'admin' | 'maiascore' | 'unleash' | 'quickblox' | 'resetd' | 'metrics';
type Format = 'bearer' | 'raw' | 'apikey';
interface Scheme {
  header: string;
  secret: SecretName;
  format: Format;
}

const SCHEMES: Record<string, Scheme> = Object.fromEntries(
  Object.entries((spec.components?.securitySchemes ?? {}) as Record<string, any>).flatMap(([name, s]): [string, Scheme][] => {
    const secret = (['maiascore', 'unleash', 'quickblox', 'resetd', 'metrics'] as const).find((d) => name.startsWith(d)) ?? (name === 'adminToken' ? 'admin' : undefined);
    if (!secret) return [];
    if (s.type === 'http' && String(s.scheme).toLowerCase() === 'bearer') return [[name, { header: 'authorization', secret, format: 'bearer' }]];
    if (s.type === 'apiKey' && s.in === 'header') {
      // The spec says so in words: QuickBlox's Authorization header carries "ApiKey <key>".
      const format: Format = /`ApiKey `/.test(s.description ?? '') ? 'apikey' : 'raw';
      return [[name, { header: String(s.name).toLowerCase(), secret, format }]];
    }
    return [];
  }),
);

const PREFIX: Record<Format, string> = { bearer: 'Bearer ', raw: '', apikey: 'ApiKey ' };

/** One credential header: a secret in some form, or a literal. */
type Credential = { header: string; secret: SecretName; prefix: string; mutate?: 'suffix' | 'truncate' | 'upper' } | { header: string; literal: string };

function accepts(scheme: Scheme, headers: Record<string, string>, secrets: Record<SecretName, string>): boolean {
  const value = headers[scheme.header];
  if (value === undefined) return false;
  const secret = secrets[scheme.secret];
  if (scheme.format === 'raw') return value === secret;
  const match = new RegExp(`^${PREFIX[scheme.format].trim()} +(\\S+)$`, 'i').exec(value);
  return match?.[1] === secret;
}

function credentialsArb(op: Operation): fc.Arbitrary<Credential[]> {
  const requirements = op.security.filter((r) => Object.keys(r).every((name) => SCHEMES[name]));
  const junk: fc.Arbitrary<Credential[]> = fc.oneof(
    fc.constant<Credential[]>([]),
    fc.constantFrom<SecretName>('admin', 'maiascore', 'unleash', 'quickblox', 'resetd', 'metrics').map((secret): Credential[] => [{ header: 'authorization', secret, prefix: 'Bearer ' }]),
  );
  if (requirements.length === 0) return junk;
  const schemes = [...new Set(requirements.flatMap((r) => Object.keys(r)))].map((name) => SCHEMES[name]!);
  const valid = fc.constantFrom(...requirements).chain((requirement) =>
    fc.tuple(...Object.keys(requirement).map((name) => {
      const s = SCHEMES[name]!;
      const prefixes = s.format === 'raw' ? [''] : [PREFIX[s.format], PREFIX[s.format].toLowerCase()];
      return fc.constantFrom(...prefixes).map((prefix): Credential => ({ header: s.header, secret: s.secret, prefix }));
    })),
  );
  const others = (['admin', 'maiascore', 'unleash', 'quickblox', 'resetd', 'metrics'] as const);
  const wrong = fc.constantFrom(...schemes).chain((s) =>
    fc.oneof(
      // another dialect's key, or the admin token, in the right form
      fc.constantFrom(...others.filter((o) => o !== s.secret)).map((secret): Credential => ({ header: s.header, secret, prefix: PREFIX[s.format] })),
      // the right key in the wrong form
      fc.constantFrom('Basic ', 'Token ', 'Bearer ', 'ApiKey ', '', 'Bearer: ').filter((p) => p !== PREFIX[s.format]).map((prefix): Credential => ({ header: s.header, secret: s.secret, prefix })),
      // the right key, altered
      fc.constantFrom('suffix', 'truncate', 'upper').map((mutate): Credential => ({ header: s.header, secret: s.secret, prefix: PREFIX[s.format], mutate: mutate as 'suffix' })),
      // something else entirely
      fc.oneof(fc.string({ unit: printable, maxLength: 60 }), fc.constant(''), fc.constant('Bearer'), fc.constant('null')).map((literal): Credential => ({ header: s.header, literal })),
    ).map((c) => [c]),
  );
  return fc.oneof({ weight: 8, arbitrary: valid }, { weight: 1, arbitrary: fc.constant<Credential[]>([]) }, { weight: 3, arbitrary: wrong }, { weight: 1, arbitrary: fc.tuple(wrong, valid).map(([a, b]) => [...a, ...b]) });
}

// ---------------------------------------------------------------------------------------
// Values, from the schemas

export interface Pools {
  /** Addresses of seeded users (and look-alikes of them). */
  emails: readonly string[];
  /** Names of seeded users, for maiascore's id-or-username. */
  names: readonly string[];
}

/** Printable ASCII: what a header value may carry. */
const printable = fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c));
const base64url = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_');
const simpleKey = fc.stringMatching(/^[a-z][a-z0-9_]{0,11}$/);

/** Strings meant to hurt: control characters, header injection, huge, odd Unicode. */
const hostileString = (base: string) =>
  fc.oneof(
    fc.constantFrom(`${base}\r\nBcc: eve@example.com`, `${base}\n`, `${base}\u0000`, `\u0000${base}`, `${base}\u0085`, ` ${base} `, `${base}\t`, `${base},eve@example.com`, `${base} eve@example.com`, `Eve <${base}>`, `\u202e${base}`, `${base}\u200b`, '\u0000', '\r\n', '\ud83d\ude00'.repeat(30)),
    fc.tuple(fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 8 }), fc.nat({ max: base.length })).map(([junk, at]) => `${base.slice(0, at)}${junk}${base.slice(at)}`),
    fc.constantFrom(255, 256, 1000, 4097, 10_000, 17_000).map((n) => `${'a'.repeat(Math.max(1, n - 12))}@example.com`.slice(-n)),
    fc.string({ unit: 'binary', maxLength: 40 }),
  );

function emailArb(pools: Pools): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...pools.emails) },
    { weight: 3, arbitrary: fc.emailAddress() },
    { weight: 1, arbitrary: fc.constantFrom('Amélie@example.com', 'ünïcode@exämple.de', 'a@b.co', 'a+tag@example.com', 'x@localhost', '"quoted"@example.com', 'a..b@example.com', '@example.com', 'a@', `${'l'.repeat(64)}@${'d'.repeat(60)}.${'e'.repeat(60)}.${'f'.repeat(60)}.com`) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }) },
  );
}

const tokenArb = fc.oneof(
  { weight: 4, arbitrary: fc.constant(SENTINEL.liveToken) },
  { weight: 1, arbitrary: fc.constant(SENTINEL.expiredToken) },
  { weight: 2, arbitrary: fc.string({ unit: base64url, minLength: 43, maxLength: 43 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }) },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', 'A'.repeat(200), 'A'.repeat(201), '../../etc/passwd', "' OR 1=1 --") },
);

const passwordArb = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(fc.constantFrom('correct horse battery staple', 'plaid unicorn jazz mountain', 'Ölçü ağacı ve deniz feneri'), fc.string({ unit: 'grapheme', maxLength: 10 })).map(([a, b]) => `${a} ${b}`) },
  { weight: 1, arbitrary: fc.constantFrom('password', 'short', '123456789012345', 'passwordpassword1', 'completer and some more words', '') },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 10, maxLength: 40 }) },
  { weight: 1, arbitrary: fc.constantFrom(1024, 1025, 4096).map((n) => 'zq'.repeat(n).slice(0, n)) },
);

function stringArb(s: Schema, name: string, pools: Pools): fc.Arbitrary<string> {
  const max: number = s.maxLength ?? Infinity;
  const min: number = s.minLength ?? 0;
  const generic = fc.string({ unit: 'binary', minLength: min, maxLength: Math.max(min, Math.min(max, 30)) });
  // What the schema (or the field's name) says the string is, mostly; now and then any string.
  let meant: fc.Arbitrary<string> | undefined;
  if (s.pattern) meant = fc.stringMatching(new RegExp(s.pattern));
  else if (s.format === 'email' || /email/i.test(name)) meant = emailArb(pools);
  else if (/token|secret/i.test(name)) meant = tokenArb;
  else if (/password/i.test(name)) meant = passwordArb;
  else if (name === 'id') meant = fc.oneof(fc.constantFrom(SENTINEL.user, ...pools.emails, ...pools.names), fc.stringMatching(/^usr_[0-9a-f]{24}$/));
  else if (s.format === 'uuid') meant = fc.uuid();
  else if (s.format === 'date-time') meant = fc.date({ noInvalidDate: true }).map((d) => d.toISOString());
  else if (s.format === 'ipv4') meant = fc.ipV4();
  else if (s.format === 'ipv6') meant = fc.ipV6();
  const choices: fc.WeightedArbitrary<string>[] = [{ weight: 1, arbitrary: generic }];
  if (meant) choices.push({ weight: 8, arbitrary: meant });
  // Exactly at maxLength, in characters of one, two and four bytes.
  if (Number.isFinite(max) && !s.pattern) choices.push({ weight: 1, arbitrary: fc.constantFrom('a'.repeat(max), 'é'.repeat(max), '😀'.repeat(max)) });
  return fc.oneof(...choices);
}

function valueArb(schema: Schema | undefined, name: string, pools: Pools, depth = 0): fc.Arbitrary<unknown> {
  const s = flat(schema);
  if ('const' in s) return fc.constant(s.const);
  if (Array.isArray(s.enum)) return fc.constantFrom(...(s.enum as unknown[]));
  // One of the alternatives, each with what the schema says beside them (a type, a length).
  if (Array.isArray(s.anyOf)) return fc.oneof(...s.anyOf.map((alternative: Schema) => valueArb({ ...s, anyOf: undefined, ...flat(alternative) }, name, pools, depth)));
  const types: string[] = Array.isArray(s.type) ? s.type : s.type ? [s.type] : s.properties ? ['object'] : [];
  if (types.length === 0) return fc.jsonValue({ maxDepth: 2 });
  if (types.length > 1) return fc.oneof(...types.map((type) => valueArb({ ...s, type }, name, pools, depth)));
  switch (types[0]) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer':
      return fc.integer({ min: s.minimum ?? -1_000_000, max: s.maximum ?? 1_000_000 });
    case 'number':
      return fc.double({ noNaN: true, noDefaultInfinity: true });
    case 'string':
      return stringArb(s, name, pools);
    case 'array':
      return fc.array(valueArb(s.items, name, pools, depth + 1), { maxLength: 3 });
    default:
      return objectArb(s, pools, depth);
  }
}

function objectArb(s: Schema, pools: Pools, depth: number): fc.Arbitrary<Record<string, unknown>> {
  const props = (s.properties ?? {}) as Record<string, Schema>;
  const model = Object.fromEntries(Object.entries(props).map(([key, p]) => [key, valueArb(p, key, pools, depth + 1)]));
  const record = fc.record(model, { requiredKeys: (s.required ?? []).filter((k: string) => k in props) });
  // Extra members where the schema allows them (what real front ends send along).
  const extras = s.additionalProperties === false || depth > 0
    ? fc.constant({})
    : fc.oneof({ weight: 4, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: fc.dictionary(simpleKey, fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }) });
  return fc.tuple(record, extras, fc.integer({ min: 0, max: 9 })).map(([value, extra, dice]) => {
    const out: Record<string, unknown> = { ...Object.fromEntries(Object.entries(extra).filter(([k]) => !(k in props))), ...value };
    // A form that asks for a password twice is mostly filled in twice alike.
    if ('password' in out && 'password_confirm' in props && dice < 7) out.password_confirm = out.password;
    return out;
  });
}

/** The mutations of a valid object value that the schema allows for. */
function mutationArb(schema: Schema, pools: Pools): fc.Arbitrary<{ name: string; apply: (v: unknown) => unknown }> {
  const s = flat(schema);
  const props = Object.entries((s.properties ?? {}) as Record<string, Schema>).map(([k, p]) => [k, flat(p)] as const);
  const required: string[] = s.required ?? [];
  const set = (key: string, value: unknown) => (v: unknown) => (isObject(v) ? { ...v, [key]: value } : v);
  const wrongValue = fc.oneof(
    fc.constantFrom(null, true, false, 0, 42, -1.5, 1e308, [], {}, '', ['known@example.com', 'eve@example.com'], { $ne: null }, { $gt: '' }, [[[]]]),
    fc.jsonValue({ maxDepth: 2 }),
  );
  const options: fc.Arbitrary<{ name: string; apply: (v: unknown) => unknown }>[] = [
    fc.tuple(fc.constantFrom(...(props.length ? props.map(([k]) => k) : ['x'])), wrongValue).map(([key, value]) => ({ name: `${key}: ${JSON.stringify(value)?.slice(0, 40)}`, apply: set(key, value) })),
    fc.tuple(fc.oneof(simpleKey, fc.string({ unit: 'binary', maxLength: 12 })), fc.jsonValue({ maxDepth: 1 })).map(([key, value]) => ({ name: `extra member ${JSON.stringify(key)}`, apply: (v: unknown) => (isObject(v) ? { [key]: value, ...v } : v) })),
    fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.constantFrom(null, [], 'known@example.com', 0, [{}])).map((value) => ({ name: 'whole body replaced', apply: () => value })),
  ];
  if (required.length) options.push(fc.constantFrom(...required).map((key) => ({ name: `without ${key}`, apply: (v: unknown) => (isObject(v) ? Object.fromEntries(Object.entries(v).filter(([k]) => k !== key)) : v) })));
  const strings = props.filter(([, p]) => [p.type].flat().includes('string'));
  if (strings.length) {
    options.push(fc.tuple(fc.constantFrom(...strings.map(([k]) => k)), hostileString(pools.emails[0] ?? 'a@b.co')).map(([key, value]) => ({ name: `${key}: hostile ${JSON.stringify(value.slice(0, 40))}`, apply: set(key, value) })));
  }
  const limited = props.filter(([, p]) => typeof p.maxLength === 'number');
  if (limited.length) {
    options.push(fc.tuple(fc.constantFrom(...limited), fc.integer({ min: 1, max: 64 }), fc.constantFrom('a', 'é', '😀')).map(([[key, p], over, ch]) => ({ name: `${key}: ${p.maxLength} + ${over} characters`, apply: set(key, ch.repeat(p.maxLength + over)) })));
  }
  const constrained = props.filter(([, p]) => p.enum || p.pattern || p.format || 'const' in p);
  if (constrained.length) {
    options.push(fc.tuple(fc.constantFrom(...constrained.map(([k]) => k)), fc.oneof(fc.string({ unit: 'binary', maxLength: 20 }), fc.constantFrom('UNLEASH', 'en_US', 'not an address', 'a@b', ''))).map(([key, value]) => ({ name: `${key}: ${JSON.stringify(value)}`, apply: set(key, value) })));
  }
  return fc.oneof(...options);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

// ---------------------------------------------------------------------------------------
// Encodings, and how resetd's parsers read them back

const enc = encodeURIComponent;

/** A value as an HTML form would post it (nested values in qs's bracket notation). */
function formText(value: unknown): string {
  if (!isObject(value)) return value === null || value === undefined ? '' : enc(typeof value === 'string' ? value : JSON.stringify(value));
  const pairs: string[] = [];
  const add = (key: string, v: unknown) => {
    if (Array.isArray(v)) {
      for (const item of v) add(key, item);
    } else if (isObject(v)) {
      for (const [k, item] of Object.entries(v)) add(`${key}[${k}]`, item);
    } else {
      pairs.push(`${enc(key)}=${enc(v === null ? '' : String(v))}`);
    }
  };
  for (const [key, v] of Object.entries(value)) add(key, v);
  return pairs.join('&');
}

/** qs's decoding of one component: `+` is a space, a bad escape stays as it is. */
function qsDecode(s: string): string {
  const plain = s.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(plain);
  } catch {
    return plain;
  }
}

/**
 * How koa-bodyparser (co-body → qs, allowDots) reads a form, as far as validation goes: a
 * member given once as `key=value` is that string; repeated, or with brackets or dots
 * (`id[]`, `id[$ne]`, `id.x`), it is an array or an object. Keys this mirror does not
 * follow (a leading bracket or dot, unbalanced brackets) come back in `odd`; over qs's
 * 1000 parameters the reading is in doubt.
 */
export function readForm(text: string): { view: Record<string, unknown>; odd: string[] } | { doubt: string } {
  const parts = text.replace(/%5B/gi, '[').replace(/%5D/gi, ']').split('&');
  if (parts.length > 1000) return { doubt: 'over 1000 form parameters' };
  const seen = new Map<string, { count: number; nested: boolean; value: string }>();
  const odd: string[] = [];
  for (const part of parts) {
    if (!part) continue;
    const bracketEquals = part.indexOf(']=');
    const pos = bracketEquals === -1 ? part.indexOf('=') : bracketEquals + 1;
    const key = qsDecode(pos === -1 ? part : part.slice(0, pos));
    const value = pos === -1 ? '' : qsDecode(part.slice(pos + 1));
    if (!key) continue;
    let root = key;
    let nested = false;
    if (/[[\].]/.test(key)) {
      const m = /^([A-Za-z_][A-Za-z0-9_-]*)(?:(?:\[[^[\].]*\])+|(?:\.[A-Za-z0-9_-]+)+)$/.exec(key);
      if (!m) {
        odd.push(key);
        continue;
      }
      root = m[1]!;
      nested = true;
    }
    if (root in Object.prototype) continue; // qs drops these
    const entry = seen.get(root) ?? { count: 0, nested: false, value };
    entry.count += 1;
    entry.nested ||= nested;
    seen.set(root, entry);
  }
  const view: Record<string, unknown> = {};
  for (const [root, { count, nested, value }] of seen) view[root] = count > 1 || nested ? [value] : value;
  return { view, odd };
}

/** Element names generated XML may use (prototype, constructor and __proto__ included). */
const XML_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters XML 1.0 forbids; matching them is the point
const NOT_XML_CHAR = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff\r]/;
const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');

/**
 * A value as maiascore's XML (`<item><id>…</id></item>`), and what resetd's parser will make
 * of it (fast-xml-parser: text trimmed, repeated elements an array, elements inside
 * elements an object, an empty element ''); `view` is undefined when in doubt.
 */
function xmlText(value: unknown, root: string, pretty: boolean): { text: string; view: unknown; doubt?: string } {
  let doubt: string | undefined;
  const nl = pretty ? '\n  ' : '';
  const leaf = (v: unknown): string => {
    const s = v === null || v === undefined ? '' : String(v);
    if (NOT_XML_CHAR.test(s)) doubt = 'a character XML does not allow';
    return xmlEscape(s);
  };
  const element = (name: string, v: unknown): { xml: string; view: unknown; present: boolean } => {
    if (Array.isArray(v)) {
      const items = v.map((item) => element(name, item));
      if (items.length === 1) return items[0]!;
      return { xml: items.map((i) => i.xml).join(nl), view: items.length ? items.map((i) => i.view) : undefined, present: items.length > 0 };
    }
    if (isObject(v)) {
      const children = Object.entries(v).filter(([k]) => XML_NAME.test(k)).map(([k, c]) => [k, element(k, c)] as const).filter(([, c]) => c.present);
      if (children.length === 0) return { xml: `<${name}></${name}>`, view: '', present: true };
      return { xml: `<${name}>${children.map(([, c]) => c.xml).join('')}</${name}>`, view: Object.fromEntries(children.map(([k, c]) => [k, c.view])), present: true };
    }
    return { xml: `<${name}>${leaf(v)}</${name}>`, view: typeof v === 'string' ? v.trim() : v === null ? '' : String(v), present: true };
  };
  const decl = pretty ? '<?xml version="1.0" encoding="utf-8"?>\n' : '';
  if (!isObject(value)) return { text: `${decl}<${root}>${leaf(typeof value === 'string' ? value : JSON.stringify(value))}</${root}>`, view: {} };
  const children = Object.entries(value).filter(([k]) => XML_NAME.test(k)).map(([k, v]) => [k, element(k, v)] as const).filter(([, c]) => c.present);
  const text = `${decl}<${root}>${nl}${children.map(([, c]) => c.xml).join(nl)}${pretty ? '\n' : ''}</${root}>`;
  return { text, view: Object.fromEntries(children.map(([k, c]) => [k, c.view])), doubt };
}

/** Malformed XML documents, each certainly refused (`field` is a required element). */
const brokenXml = (field: string) => [
  `<item><${field}>a@b.co</item>`,
  `<item><${field}>a@b.co</${field}>`,
  `<item><${field}>a@b.co</${field}></item><item/>`,
  `<?xml version="1.0"?><!DOCTYPE item [<!ENTITY x SYSTEM "file:///etc/passwd">]><item><${field}>&x;</${field}></item>`,
  `<!DOCTYPE item SYSTEM "http://127.0.0.1:9/x.dtd"><item><${field}>a@b.co</${field}></item>`,
  `<item><${field}>a<b@b.co</${field}></item>`,
  `<item><${field}>a&b@b.co</${field}></item>`,
  `<item><${field}>a@b.co</${field}></item`,
  `<item><1x>a</1x><${field}>a@b.co</${field}></item>`,
  `<?xml version="1.0"?>`,
  '',
  `${field}=a%40b.co`,
  `{"${field}":"a@b.co"}`,
  `<item><${field}>x</${field}><${field}>y</${field}></item>`,
  `<item><${field}><a>b</a></${field}></item>`,
  '<item/>',
  '<item>a@b.co</item>',
];

// ---------------------------------------------------------------------------------------
// Request plans

type Coding = 'gzip' | 'deflate' | 'identity' | 'gzip-header-only' | 'bogus';

export type BodyPlan =
  /** A value serialized as `as` (json, form, xml) and sent with `contentType`. */
  | { kind: 'value'; as: 'json' | 'form' | 'xml'; value: unknown; contentType: string | null; coding?: Coding; padTo?: number; pretty?: boolean; note: string }
  /** Text as it is; `refused` when it is certain resetd must refuse it whatever it parses it as. */
  | { kind: 'text'; text: string; contentType: string | null; refused?: boolean; note: string }
  | { kind: 'bytes'; bytes: Uint8Array; contentType: string | null; note: string }
  | { kind: 'none'; contentType: string | null; note: string };

export interface RequestPlan {
  operationId: string;
  method: string;
  pathParams: Record<string, string>;
  query: [string, string][];
  credentials: Credential[];
  headers: Record<string, string>;
  body?: BodyPlan;
  /** What the generator set out to do (for reports only: the verdict is computed). */
  intent: string[];
}

const UNLISTED = ['text/plain', 'text/plain;charset=UTF-8', 'application/octet-stream', 'multipart/form-data; boundary=x', 'text/xml', 'application/json-patch+json', 'application/x-www-form-urlencoded', 'application/json', 'application/xml', 'text/html', 'application/jsonx', 'json', '*/*', 'application/problem+json', 'application/x-www-form-urlencoded+json'];

const acceptArb = fc.option(fc.oneof(fc.constantFrom('*/*', 'application/json', 'text/html', 'application/problem+json', 'text/plain', 'image/png', 'application/json;q=0, text/html', 'text/*', ''), fc.string({ unit: printable, maxLength: 30 })), { nil: undefined });

function paramsArb(op: Operation, pools: Pools): fc.Arbitrary<{ path: Record<string, string>; query: [string, string][]; intent: string[] }> {
  const pathParams = op.params.filter((p) => p.in === 'path');
  const queryParams = op.params.filter((p) => p.in === 'query');
  const valid = fc.record({
    path: fc.record(Object.fromEntries(pathParams.map((p) => [p.name, valueArb(p.schema, p.name, pools).map(String)]))) as fc.Arbitrary<Record<string, string>>,
    query: fc.tuple(...queryParams.map((p) => (p.required ? valueArb(p.schema, p.name, pools).map((v) => [[p.name, String(v)]] as [string, string][]) : fc.option(valueArb(p.schema, p.name, pools).map((v) => [[p.name, String(v)]] as [string, string][]), { nil: [] })))).map((lists) => lists.flat()),
    extra: fc.oneof({ weight: 5, arbitrary: fc.constant([] as [string, string][]) }, { weight: 1, arbitrary: fc.array(fc.tuple(simpleKey, fc.string({ unit: 'grapheme', maxLength: 10 })), { maxLength: 3 }) }),
  }).map(({ path, query, extra }) => ({ path, query: [...query, ...extra], intent: [] as string[] }));
  if (pathParams.length + queryParams.length === 0) return valid;
  const mutations: fc.Arbitrary<(p: { path: Record<string, string>; query: [string, string][]; intent: string[] }) => void>[] = [];
  if (pathParams.length) {
    mutations.push(fc.tuple(fc.constantFrom(...pathParams), fc.oneof(fc.constantFrom('a.b', 'a b', '%', 'é', '\u0000', '\r\n', '😀', '-'.repeat(65), 'x'.repeat(65), 'x'.repeat(300), "'", '<script>', 'a;b', '..', '.'), fc.string({ unit: 'binary', minLength: 1, maxLength: 70 }))).map(([param, value]) => (p) => {
      p.path[param.name] = value;
      p.intent.push(`path ${param.name}=${JSON.stringify(value.slice(0, 30))}`);
    }));
  }
  if (queryParams.length) {
    // Node answers a request line over 16 KiB with its own 431 before resetd sees it: stay under.
    const hostile = hostileString(pools.emails[0] ?? 'a@b.co').map((h) => h.slice(0, 4000));
    mutations.push(fc.tuple(fc.constantFrom(...queryParams), fc.constantFrom('omit', 'repeat', 'bracket', 'object', 'empty', 'long', 'hostile', 'upper-case name'), hostile).map(([param, how, hostile]) => (p) => {
      const current = p.query.find(([k]) => k === param.name)?.[1] ?? pools.emails[0] ?? 'x';
      const others = p.query.filter(([k]) => k !== param.name);
      const max = typeof param.schema.maxLength === 'number' ? param.schema.maxLength : 1000;
      const replaced: Record<string, [string, string][]> = {
        omit: [],
        repeat: [[param.name, current], [param.name, 'eve@example.com']],
        bracket: [[`${param.name}[]`, current]],
        object: [[`${param.name}[$ne]`, 'x']],
        empty: [[param.name, '']],
        long: [[param.name, 'x'.repeat(max + 1)]],
        hostile: [[param.name, hostile]],
        'upper-case name': [[param.name.toUpperCase(), current]],
      };
      p.query = [...others, ...replaced[how]!];
      p.intent.push(`query ${param.name}: ${how}`);
    }));
  }
  const mutated = fc.tuple(valid, fc.oneof(...mutations)).map(([p, mutate]) => {
    mutate(p);
    return p;
  });
  return fc.oneof({ weight: 3, arbitrary: valid }, { weight: 1, arbitrary: mutated });
}

function bodyArb(op: Operation, pools: Pools): fc.Arbitrary<BodyPlan> | undefined {
  if (!op.body || op.body.size === 0) return undefined;
  const listed = [...op.body.keys()];
  const as = (media: string): 'json' | 'form' | 'xml' => (/json/.test(media) ? 'json' : /xml/.test(media) ? 'xml' : 'form');
  const withCharset = (media: string) => fc.constantFrom(media, `${media}; charset=utf-8`, `${media};charset=UTF-8`);
  const pick = fc.constantFrom(...listed);
  const validOf = (media: string) => valueArb(op.body!.get(media)!.schema, '', pools);
  const first = (media: string): string => flat(op.body!.get(media)!.schema).required?.[0] ?? 'id';

  const valid = pick.chain((media) => fc.tuple(validOf(media), withCharset(media), fc.boolean()).map(([value, contentType, pretty]): BodyPlan => ({ kind: 'value', as: as(media), value, contentType, pretty, note: `valid ${media}` })));
  const mutated = pick.chain((media) => fc.tuple(validOf(media), mutationArb(op.body!.get(media)!.schema, pools), withCharset(media)).map(([value, mutation, contentType]): BodyPlan => ({ kind: 'value', as: as(media), value: mutation.apply(value), contentType, note: `mutated ${media}: ${mutation.name}` })));
  const randomJson = pick.chain((media) => fc.tuple(fc.jsonValue({ maxDepth: 3 }), withCharset(media)).map(([value, contentType]): BodyPlan => ({ kind: 'value', as: as(media), value, contentType, note: `random JSON value as ${media}` })));
  const malformed = pick.chain((media): fc.Arbitrary<BodyPlan> => {
    if (as(media) === 'xml') return fc.constantFrom(...brokenXml(first(media))).map((text) => ({ kind: 'text', text, contentType: media, refused: true, note: 'malformed XML' }));
    if (as(media) === 'form') {
      return fc.oneof(fc.string({ unit: 'binary', maxLength: 60 }), fc.constantFrom('%', '%%%', '&&&', '=', '==x', `${first(media)}=%E0%A4%A`, `${first(media)}`, `${first(media)}=a&&${first(media)}=`, `[${first(media)}]=x`, `${first(media)}%5B%5D=x`, `${first(media)}.x=y`))
        .map((text) => ({ kind: 'text', text, contentType: media, note: 'malformed form' }));
    }
    return fc.tuple(validOf(media), fc.nat(), fc.constantFrom('truncated', 'trailing', 'single quotes', 'NaN', 'comment', 'bom', 'nested deep')).map(([value, n, how]): BodyPlan => {
      const json = JSON.stringify(value);
      const text = {
        truncated: json.slice(0, n % Math.max(1, json.length)),
        trailing: `${json}}x`,
        'single quotes': json.replace(/"/g, "'"),
        NaN: `{"${first(media)}": NaN}`,
        comment: `{/* c */ "${first(media)}": "a@b.co"}`,
        bom: `\ufeff{"${first(media)}": 1}`,
        'nested deep': `${'['.repeat(5000)}${']'.repeat(5000)}`,
      }[how];
      return { kind: 'text', text, contentType: media, note: `malformed JSON (${how})` };
    });
  });
  const bytes = fc.tuple(fc.uint8Array({ maxLength: 300 }), fc.option(fc.oneof(pick, fc.constantFrom(...UNLISTED)), { nil: null })).map(([b, contentType]): BodyPlan => ({ kind: 'bytes', bytes: b, contentType, note: 'random bytes' }));
  const wrongType = pick.chain((media) => fc.tuple(validOf(media), fc.constantFrom<'json' | 'form' | 'xml'>('json', 'form', 'xml'), fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...UNLISTED.filter((t) => !listed.includes(t.split(';')[0]!))) },
    { weight: 2, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.constantFrom(media.toUpperCase(), `${media} ; charset=utf-8`, ` ${media}`, `${media}; charset=latin1`) },
    { weight: 1, arbitrary: fc.string({ unit: printable, maxLength: 30 }) },
  )).map(([value, enc, contentType]): BodyPlan => ({ kind: 'value', as: enc, value, contentType, note: `${enc} sent as ${contentType}` })));
  const nearLimit = pick.chain((media) => fc.tuple(validOf(media), fc.oneof({ weight: 4, arbitrary: fc.integer({ min: BODY_LIMIT - 3, max: BODY_LIMIT + 3 }) }, { weight: 1, arbitrary: fc.constantFrom(17 * 1024, 64 * 1024, 1024 * 1024) })).map(([value, padTo]): BodyPlan => ({ kind: 'value', as: as(media), value, contentType: media, padTo, note: `padded to ${padTo} bytes` })));
  const coded = pick.chain((media) => fc.tuple(validOf(media), fc.constantFrom<Coding>('gzip', 'deflate', 'identity', 'gzip-header-only', 'bogus'), fc.option(fc.constantFrom(BODY_LIMIT + 1, 40_000, 1_000_000), { nil: undefined })).map(([value, coding, padTo]): BodyPlan => {
    return { kind: 'value', as: as(media), value, contentType: media, coding, padTo, note: `Content-Encoding ${coding}${padTo ? `, ${padTo} bytes` : ''}` };
  }));
  const empty = fc.option(fc.oneof(pick, fc.constantFrom(...UNLISTED)), { nil: null }).map((contentType): BodyPlan => ({ kind: 'none', contentType, note: 'no body' }));
  // A streamed body is a file of users (CSV with a header row, or JSON Lines), read row by row.
  const streamed = listed.filter((media) => op.body!.get(media)!.stream);
  const fileArb = streamed.length === 0 ? undefined : fc.constantFrom(...streamed).chain((media) => usersFileArb(media, pools));

  return fc.oneof(
    { weight: 10, arbitrary: valid },
    { weight: 7, arbitrary: mutated },
    { weight: 1, arbitrary: randomJson },
    { weight: 2, arbitrary: malformed },
    { weight: 1, arbitrary: bytes },
    { weight: 2, arbitrary: wrongType },
    { weight: 1, arbitrary: nearLimit },
    { weight: 1, arbitrary: coded },
    { weight: 1, arbitrary: empty },
    ...(fileArb ? [{ weight: 12, arbitrary: fileArb }] : []),
  );
}

const FILE_COLUMNS = ['email', 'name', 'locale', 'disabled', 'password_hash'];

/** A users file as an import reads it: mostly well-formed rows, some not; sometimes a header it cannot use. */
function usersFileArb(media: string, pools: Pools): fc.Arbitrary<BodyPlan> {
  const cell = fc.oneof(fc.constantFrom('', 'Ada', 'de', 'pt-BR', 'true', 'no', '$2b$04$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234', 'x,y', '"quoted"'), fc.string({ unit: printable, maxLength: 12 }));
  const row = fc.record({ email: fc.oneof(emailArb(pools), fc.string({ unit: printable, maxLength: 20 })), name: cell, locale: cell, disabled: cell, password_hash: cell });
  const rows = fc.array(row, { maxLength: 6 });
  if (/ndjson/.test(media)) {
    return fc.tuple(rows, fc.constantFrom('', '\n', '\n{"email":', '\nnot json\n')).map(([list, tail]): BodyPlan => ({
      kind: 'text', text: list.map((r) => JSON.stringify(r)).join('\n') + tail, contentType: media, note: 'a JSON Lines users file',
    }));
  }
  const quote = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const header = fc.oneof({ weight: 6, arbitrary: fc.subarray(FILE_COLUMNS.slice(1)).map((rest) => ['email', ...rest]) }, { weight: 1, arbitrary: fc.array(fc.constantFrom(...FILE_COLUMNS, 'pasword_hash', 'mail'), { maxLength: 4 }) });
  return fc.tuple(header, rows, fc.constantFrom('', '\n', '\n"unclosed')).map(([columns, list, tail]): BodyPlan => ({
    kind: 'text',
    text: [columns.join(','), ...list.map((r) => columns.map((c) => quote(String((r as Record<string, string>)[c] ?? ''))).join(','))].join('\n') + tail,
    contentType: media,
    note: 'a CSV users file',
  }));
}

/** Requests for one operation, valid and invalid. */
export function requestArb(op: Operation, pools: Pools): fc.Arbitrary<RequestPlan> {
  const body = bodyArb(op, pools);
  return fc.record({
    params: paramsArb(op, pools),
    credentials: credentialsArb(op),
    accept: acceptArb,
    misc: fc.option(fc.tuple(fc.stringMatching(/^x-[a-z0-9-]{1,16}$/), fc.string({ unit: printable, maxLength: 40 })), { nil: undefined }),
    body: body ?? fc.constant(undefined),
  }).map(({ params, credentials, accept, misc, body }): RequestPlan => ({
    operationId: op.id,
    method: op.method,
    pathParams: params.path,
    query: params.query,
    credentials,
    headers: { ...(accept !== undefined && { accept }), ...(misc && { [misc[0]]: misc[1] }) },
    body,
    intent: [...params.intent, ...(body ? [body.note] : [])],
  }));
}

/** Requests off the spec's map: unknown paths, known paths with other methods, odd paths. */
export function strayRequestArb(): fc.Arbitrary<RequestPlan> {
  const templates = Object.keys(spec.paths);
  const segment = fc.oneof(simpleKey, fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }).map(enc), fc.constantFrom('..', '%2e%2e', '%2F', '', 'reset', 'v4', 'users', '%00', 'admin'));
  const path = fc.oneof(
    fc.constantFrom(...templates).map((t) => t.replace(/\{[^}]+\}/g, 'x')),
    fc.tuple(fc.constantFrom(...templates, '/api/v1', '/api/v4', '/auth', '/users', '/admin', '/dev', ''), fc.array(segment, { minLength: 1, maxLength: 3 })).map(([prefix, rest]) => `${prefix.replace(/\{[^}]+\}/g, 'x')}/${rest.join('/')}`),
    fc.constantFrom(...templates).map((t) => `${t.replace(/\{[^}]+\}/g, 'x')}/`),
    fc.constantFrom(...templates).map((t) => t.replace(/\{[^}]+\}/g, 'x').toUpperCase()),
  );
  return fc.record({
    method: fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'PROPFIND'),
    path,
    body: fc.option(fc.string({ unit: 'grapheme', maxLength: 50 }), { nil: undefined }),
    contentType: fc.constantFrom('application/json', 'application/x-www-form-urlencoded', 'application/xml', 'text/plain'),
    accept: acceptArb,
  }).map(({ method, path, body, contentType, accept }): RequestPlan => ({
    operationId: `${method} ${path}`,
    method,
    pathParams: { __raw: path },
    query: [],
    credentials: [],
    headers: { ...(accept !== undefined && { accept }) },
    body: body === undefined || method === 'GET' || method === 'HEAD' ? undefined : { kind: 'text', text: body, contentType, note: 'stray body' },
    intent: ['stray request'],
  }));
}

// ---------------------------------------------------------------------------------------
// Rendering and classification

export type Validity = 'valid' | 'invalid' | 'unknown';

export interface Rendered {
  /** The operation resetd will route this to, if any. */
  operationId: string | null;
  method: string;
  /** Path and query, percent-encoded. */
  path: string;
  headers: Record<string, string>;
  body: Buffer | undefined;
  /** Whether the spec's own request validation accepts the request (security and size included). */
  validity: Validity;
  /** Why it is invalid (or in doubt). */
  reasons: string[];
  /** What resetd will read: the query, and the body when it can be read. */
  query: Record<string, string | string[]>;
  bodyView: unknown;
}

export interface RenderContext {
  secrets: Record<SecretName, string>;
  userId: string;
  /** A usable reset token of `userId`, just minted. */
  liveToken(): Promise<string>;
  /** An expired one. */
  expiredToken(): Promise<string>;
}

function replaceDeep(value: unknown, replace: (s: string) => string): unknown {
  if (typeof value === 'string') return replace(value);
  if (Array.isArray(value)) return value.map((v) => replaceDeep(v, replace));
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceDeep(v, replace)]));
  return value;
}

const byName = new Map<string, Operation>();

export async function render(plan: RequestPlan, ctx: RenderContext): Promise<Rendered> {
  if (byName.size === 0) for (const op of operations()) byName.set(op.id, op);
  const serialized = JSON.stringify(plan, (_k, v) => (v instanceof Uint8Array ? undefined : v));
  const live = serialized.includes(SENTINEL.liveToken) ? await ctx.liveToken() : '';
  const expired = serialized.includes(SENTINEL.expiredToken) ? await ctx.expiredToken() : '';
  const fill = (s: string) => s.replaceAll(SENTINEL.liveToken, live).replaceAll(SENTINEL.expiredToken, expired).replaceAll(SENTINEL.user, ctx.userId);

  const op = byName.get(plan.operationId);
  const reasons: string[] = [];
  const doubts: string[] = [];

  // Path and query.
  let pathname = plan.pathParams.__raw ?? op!.path.replace(/\{([^}]+)\}/g, (_m, name: string) => enc(fill(plan.pathParams[name] ?? '')));
  const query = plan.query.map(([k, v]) => [fill(k), fill(v)] as [string, string]);
  const search = query.length ? `?${query.map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&')}` : '';
  const url = new URL(`http://resetd.invalid${pathname}${search}`);
  pathname = url.pathname;
  const routed = matchOperation(plan.method, pathname);
  const queryView: Record<string, string | string[]> = {};
  for (const key of new Set(url.searchParams.keys())) {
    const all = url.searchParams.getAll(key);
    queryView[key] = all.length === 1 ? all[0]! : all;
  }

  // Headers, credentials first.
  const headers: Record<string, string> = {};
  for (const c of plan.credentials) {
    if ('literal' in c) headers[c.header] = c.literal;
    else {
      const secret = ctx.secrets[c.secret];
      const altered = c.mutate === 'suffix' ? `${secret}x` : c.mutate === 'truncate' ? secret.slice(0, -1) : c.mutate === 'upper' ? secret.toUpperCase() : secret;
      headers[c.header] = `${c.prefix}${altered}`;
    }
  }
  Object.assign(headers, plan.headers);

  let body: Buffer | undefined;
  let bodyView: unknown;
  if (!routed) reasons.push(`no operation for ${plan.method} ${pathname}`);
  else if (routed !== plan.operationId) doubts.push(`routed to ${routed}`);
  else if (op) {
    // Security: some requirement fully met.
    if (op.security.length > 0 && !op.security.some((r) => Object.keys(r).length === 0)) {
      const known = op.security.every((r) => Object.keys(r).every((n) => SCHEMES[n]));
      const met = op.security.some((r) => Object.keys(r).every((n) => SCHEMES[n] && accepts(SCHEMES[n]!, headers, ctx.secrets)));
      if (!met) (known ? reasons : doubts).push('credentials missing or not accepted');
    }
    // Parameters.
    for (const p of op.params) {
      if (p.in === 'path') {
        const raw = pathname.split('/')[op.path.split('/').indexOf(`{${p.name}}`)] ?? '';
        let value: string;
        try {
          value = decodeURIComponent(raw);
        } catch {
          value = raw;
        }
        const shown = JSON.stringify(value.slice(0, 30));
        if (!(p.validate(value) || p.validate(raw))) reasons.push(`path ${p.name} ${shown} does not match its schema`);
      } else if (p.in === 'query') {
        const value = queryView[p.name];
        if (value === undefined) {
          if (p.required) reasons.push(`query ${p.name} missing`);
        } else if (!p.validate(value)) reasons.push(`query ${p.name} does not match its schema`);
      }
    }
  }

  // Body.
  if (plan.body && plan.body.kind !== 'none' && plan.method !== 'GET' && plan.method !== 'HEAD') {
    const b = plan.body;
    let text: string | undefined;
    let xmlView: { view: unknown; doubt?: string } | undefined;
    let raw: Buffer;
    if (b.kind === 'value') {
      let value = replaceDeep(b.value, fill);
      const serialize = (v: unknown) => {
        if (b.as === 'json') return { text: JSON.stringify(v) ?? 'null' } as { text: string; view?: unknown; doubt?: string };
        if (b.as === 'form') return { text: formText(v) };
        return xmlText(v, String(flat(op?.body?.get('application/xml')?.schema).xml?.name ?? 'item'), b.pretty ?? false);
      };
      let out = serialize(value);
      if (b.padTo !== undefined && isObject(value)) {
        const base = Buffer.byteLength(serialize({ ...value, pad: '' }).text);
        value = { ...value, pad: 'x'.repeat(Math.max(0, b.padTo - base)) };
        out = serialize(value);
      }
      text = out.text;
      if (b.as === 'xml') xmlView = { view: out.view, doubt: out.doubt };
      raw = Buffer.from(text);
    } else if (b.kind === 'text') {
      text = fill(b.text);
      raw = Buffer.from(text);
    } else raw = Buffer.from(b.bytes);

    const coding = b.kind === 'value' ? b.coding : undefined;
    const decodedLength = raw.length;
    body = coding === 'gzip' ? gzipSync(raw) : coding === 'deflate' ? deflateSync(raw) : raw;
    if (coding && coding !== 'identity') headers['content-encoding'] = coding === 'gzip-header-only' ? 'gzip' : coding === 'bogus' ? 'x-bogus' : coding;
    if (b.contentType !== null) headers['content-type'] = b.contentType;

    if (routed === plan.operationId && op?.body) {
      const verdict = classifyBody(op, b, raw, text, xmlView, coding, decodedLength);
      reasons.push(...verdict.reasons);
      doubts.push(...verdict.doubts);
      bodyView = verdict.view;
    }
  } else {
    if (plan.body && plan.body.contentType !== null) headers['content-type'] = plan.body.contentType;
    if (routed === plan.operationId && op?.bodyRequired) reasons.push('no body (the spec requires one)');
  }

  const validity: Validity = reasons.length ? 'invalid' : doubts.length ? 'unknown' : 'valid';
  return { operationId: routed, method: plan.method, path: `${pathname}${url.search}`, headers, body, validity, reasons: reasons.length ? reasons : doubts, query: queryView, bodyView };
}

function classifyBody(
  op: Operation,
  b: BodyPlan,
  raw: Buffer,
  text: string | undefined,
  xmlView: { view: unknown; doubt?: string } | undefined,
  coding: Coding | undefined,
  decodedLength: number,
): { reasons: string[]; doubts: string[]; view?: unknown } {
  const reasons: string[] = [];
  const doubts: string[] = [];
  const header = b.contentType;
  if (header === null) return { reasons: [raw.length ? 'a body without a content type' : 'no body (the spec requires one)'], doubts };
  const essence = header.split(';')[0]!;
  const media = op.body!.get(essence);
  if (!media) {
    if (op.body!.has(essence.trim().toLowerCase())) doubts.push(`content type ${JSON.stringify(header)}`);
    else reasons.push(`content type ${JSON.stringify(header)} is not one the operation lists`);
    return { reasons, doubts };
  }
  if (/charset=(?!utf-8)/i.test(header)) doubts.push(`charset in ${header}`);
  if (coding === 'gzip-header-only' || coding === 'bogus') return { reasons: ['Content-Encoding that does not match the body'], doubts };
  if (media.stream) return streamedVerdict(essence, b, raw, text, coding, reasons, doubts);
  if (decodedLength > BODY_LIMIT) return { reasons: [`${decodedLength} bytes, over the 16 KiB limit`], doubts };
  if (b.kind === 'text' && b.refused) return { reasons: [b.note], doubts };

  const decoded = (text ?? new TextDecoder().decode(raw)).replace(/^\ufeff/, '');
  let view: unknown;
  if (/json/.test(essence)) {
    if (decoded === '') view = {};
    else if (!/^[ \t\n\r]*(\[|\{)/.test(decoded)) return { reasons: ['not a JSON object or array'], doubts };
    else {
      try {
        view = JSON.parse(decoded);
      } catch {
        return { reasons: ['not valid JSON'], doubts };
      }
    }
  } else if (essence === 'application/x-www-form-urlencoded' && media.jsonUnderForm && isJsonObject(decoded.trim())) {
    // The spec marks this form as also taking a JSON object (maiascore's documented example).
    view = JSON.parse(decoded.trim());
  } else if (essence === 'application/x-www-form-urlencoded') {
    const form = readForm(decoded);
    if ('doubt' in form) return { reasons, doubts: [...doubts, form.doubt] };
    // A key qs reads in a way this mirror does not follow, and that could name a field.
    const fields = Object.keys(flat(media.schema).properties ?? {});
    const odd = form.odd.find((key) => fields.some((f) => key.includes(f)));
    if (odd !== undefined) return { reasons, doubts: [...doubts, `form key ${JSON.stringify(odd.slice(0, 40))}`] };
    view = form.view;
  } else if (/xml/.test(essence)) {
    if (xmlView && b.kind === 'value' && b.as === 'xml') {
      if (xmlView.doubt) doubts.push(xmlView.doubt);
      view = xmlView.view;
    } else {
      // Text that was not built as XML: certainly refused unless it has a tag of a field.
      const fields = Object.keys(flat(media.schema).properties ?? {});
      if (fields.some((f) => decoded.includes(`<${f}`))) return { reasons, doubts: [...doubts, 'unparsed XML'] };
      return { reasons: ['not a document with the fields'], doubts };
    }
  } else {
    return { reasons, doubts: [...doubts, `media type ${essence}`] };
  }
  if (!media.validate(view)) reasons.push(`body does not match the schema: ${ajv.errorsText(media.validate.errors)}`);
  return { reasons, doubts, view };
}

/**
 * A streamed users file is read row by row: a bad row is refused in the answer, not by the
 * request. The request itself is refused for a compressed body or a CSV header it cannot use
 * (no `email`, a column outside the five, a repeated one).
 */
function streamedVerdict(essence: string, b: BodyPlan, raw: Buffer, text: string | undefined, coding: Coding | undefined, reasons: string[], doubts: string[]) {
  if (coding && coding !== 'identity') return { reasons: [...reasons, 'a compressed users file'], doubts };
  if (b.kind !== 'text' || !/^a (CSV|JSON Lines) users file$/.test(b.note)) return { reasons, doubts: [...doubts, `a users file of ${b.note}`] };
  if (essence === 'text/csv') {
    const columns = (text ?? raw.toString('utf8')).split(/\r?\n/)[0]!.split(',').map((c) => c.trim().toLowerCase());
    const usable = columns.includes('email') && columns.every((c) => FILE_COLUMNS.includes(c)) && new Set(columns).size === columns.length;
    if (!usable) return { reasons: [...reasons, `a CSV header it cannot use: ${columns.join(',')}`], doubts };
  }
  return { reasons, doubts };
}

function isJsonObject(text: string): boolean {
  if (!text.startsWith('{')) return false;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

/** A short, readable account of a rendered request, for failure messages. */
export function describeRequest(r: Rendered, plan: RequestPlan): string {
  const body = r.body === undefined ? '' : JSON.stringify(r.body.toString('utf8').slice(0, 300)) + (r.body.length > 300 ? ` … (${r.body.length} bytes)` : '');
  const headers = Object.entries(r.headers).map(([k, v]) => `${k}: ${v.slice(0, 80)}`).join('\n  ');
  return `${r.method} ${r.path.slice(0, 300)}\n  ${headers}\n  ${body}\n  [${r.validity}: ${r.reasons.join('; ') || 'valid'}] [intent: ${plan.intent.join('; ') || 'valid'}]`;
}
