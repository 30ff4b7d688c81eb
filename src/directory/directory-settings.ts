/**
 * The DIRECTORY_* settings: which directory holds the accounts, and what it needs. Each
 * adapter checks its own settings; a problem names the setting, and stops resetd at start.
 */
export type DirectorySettings = { timeoutMs: number } & (
  | { kind: 'builtin' }
  | {
      kind: 'sql';
      url: string;
      findSql: string;
      setPasswordSql: string;
      afterSetSql: string | null;
      hash: 'bcrypt' | 'argon2id' | 'pbkdf2-sha256' | 'bcrypt-sha256' | 'cloudreve-sha256';
      hashCost: number | null;
    }
  | { kind: 'http'; url: string; secret: string }
  | { kind: 'unleash'; url: string; token: string }
);

export const DIRECTORY_KINDS = ['builtin', 'sql', 'http', 'unleash'] as const;

export const DIRECTORY_SETTING_NAMES = [
  'DIRECTORY', 'DIRECTORY_URL', 'DIRECTORY_FIND_SQL', 'DIRECTORY_SET_PASSWORD_SQL', 'DIRECTORY_AFTER_SET_SQL',
  'DIRECTORY_HASH', 'DIRECTORY_HASH_COST', 'DIRECTORY_SECRET', 'DIRECTORY_TIMEOUT_MS', 'UNLEASH_URL', 'UNLEASH_API_TOKEN',
] as const;

/** May carry credentials (a database password in the URL, a key, a token): never echoed. */
export const DIRECTORY_SECRET_SETTINGS = ['DIRECTORY_URL', 'DIRECTORY_SECRET', 'UNLEASH_API_TOKEN'] as const;

/** Settings that only one kind of directory reads: setting them for another is a mistake worth naming. */
const ONLY_FOR: Record<string, (typeof DIRECTORY_KINDS)[number][]> = {
  DIRECTORY_URL: ['sql', 'http'],
  DIRECTORY_FIND_SQL: ['sql'],
  DIRECTORY_SET_PASSWORD_SQL: ['sql'],
  DIRECTORY_AFTER_SET_SQL: ['sql'],
  DIRECTORY_HASH: ['sql'],
  DIRECTORY_HASH_COST: ['sql'],
  DIRECTORY_SECRET: ['http'],
  UNLEASH_URL: ['unleash'],
  UNLEASH_API_TOKEN: ['unleash'],
};

const HASHES = ['bcrypt', 'argon2id', 'pbkdf2-sha256', 'bcrypt-sha256', 'cloudreve-sha256'] as const;

/** Reads the directory settings; the adapters' own checks run when it is opened (see open-directory.ts). */
export function readDirectorySettings(source: Record<string, string | undefined>, problems: string[]): DirectorySettings {
  const get = (name: string) => (source[name] === undefined || source[name] === '' ? null : source[name]!);
  const kind = (get('DIRECTORY') ?? 'builtin').trim().toLowerCase();
  const rawTimeout = get('DIRECTORY_TIMEOUT_MS');
  let timeoutMs = 5_000;
  if (rawTimeout !== null) {
    if (/^\d+$/.test(rawTimeout.trim()) && Number(rawTimeout) >= 100 && Number(rawTimeout) <= 60_000) timeoutMs = Number(rawTimeout);
    else problems.push(`DIRECTORY_TIMEOUT_MS: must be a whole number from 100 to 60000 (got ${JSON.stringify(rawTimeout)})`);
  }
  if (!(DIRECTORY_KINDS as readonly string[]).includes(kind)) {
    problems.push(`DIRECTORY: must be one of ${DIRECTORY_KINDS.join(', ')} (got ${JSON.stringify(get('DIRECTORY'))})`);
    return { kind: 'builtin', timeoutMs };
  }
  for (const [name, kinds] of Object.entries(ONLY_FOR)) {
    if (get(name) !== null && !kinds.includes(kind as (typeof DIRECTORY_KINDS)[number])) {
      problems.push(`${name}: is read only with DIRECTORY=${kinds.join(' or ')}, but DIRECTORY=${kind}`);
    }
  }
  const required = (name: string, why: string): string => {
    const value = get(name);
    if (value === null) problems.push(`${name}: must be set with DIRECTORY=${kind} (${why})`);
    return value ?? '';
  };
  switch (kind) {
    case 'sql': {
      const hash = (get('DIRECTORY_HASH') ?? '').trim();
      if (!(HASHES as readonly string[]).includes(hash)) {
        problems.push(`DIRECTORY_HASH: must be one of ${HASHES.join(', ')}, the format the application checks (got ${JSON.stringify(get('DIRECTORY_HASH'))})`);
      }
      const rawCost = get('DIRECTORY_HASH_COST');
      let hashCost: number | null = null;
      if (rawCost !== null) {
        if (/^\d+$/.test(rawCost.trim())) hashCost = Number(rawCost);
        else problems.push(`DIRECTORY_HASH_COST: must be a whole number (got ${JSON.stringify(rawCost)})`);
      }
      return {
        kind,
        timeoutMs,
        url: required('DIRECTORY_URL', 'postgres://…, mysql://… or sqlite:<path> of the application\'s database'),
        findSql: required('DIRECTORY_FIND_SQL', 'a SELECT of id and email, optionally name, locale, disabled, WHERE … = :identifier'),
        setPasswordSql: required('DIRECTORY_SET_PASSWORD_SQL', 'an UPDATE … SET … = :password_hash WHERE … = :id'),
        afterSetSql: get('DIRECTORY_AFTER_SET_SQL'),
        hash: hash as (typeof HASHES)[number],
        hashCost,
      };
    }
    case 'http':
      return {
        kind,
        timeoutMs,
        url: required('DIRECTORY_URL', 'the application\'s callback URL'),
        secret: required('DIRECTORY_SECRET', 'the key that signs each callback'),
      };
    case 'unleash':
      return {
        kind,
        timeoutMs,
        url: required('UNLEASH_URL', 'the Unleash server, such as https://unleash.example.com'),
        token: required('UNLEASH_API_TOKEN', 'an admin API token or personal access token'),
      };
    default:
      return { kind: 'builtin', timeoutMs };
  }
}
