import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { checkDirectorySettings } from '../../src/directory/open-directory.ts';

/** DIRECTORY and its settings: a missing or malformed one stops resetd at start, naming it. */
function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return [...(error as ConfigError).problems];
  }
  return [];
}

/** The problems loadConfig finds, then those the directory's own check finds at start. */
async function startProblemsOf(env: Record<string, string>): Promise<string[]> {
  const early = problemsOf(env);
  if (early.length > 0) return early;
  return checkDirectorySettings(loadConfig(env).directory);
}

const SQL = {
  DIRECTORY: 'sql',
  DIRECTORY_URL: 'postgres://app:secret-password@127.0.0.1:5432/app',
  DIRECTORY_FIND_SQL: 'SELECT id, email FROM users WHERE lower(email) = :identifier',
  DIRECTORY_SET_PASSWORD_SQL: 'UPDATE users SET password_hash = :password_hash WHERE id = :id',
  DIRECTORY_HASH: 'bcrypt',
};

describe('DIRECTORY', () => {
  it('defaults to builtin, resetd’s own users table', () => {
    expect(loadConfig({}).directory).toEqual({ kind: 'builtin', timeoutMs: 5000 });
  });

  it('an unknown directory is named with the known ones', () => {
    expect(problemsOf({ DIRECTORY: 'ldap' })).toEqual(['DIRECTORY: must be one of builtin, sql, http, unleash (got "ldap")']);
  });

  it('a complete sql setting is read as given', async () => {
    expect(loadConfig(SQL).directory).toMatchObject({ kind: 'sql', hash: 'bcrypt', hashCost: null, afterSetSql: null });
    expect(await startProblemsOf(SQL)).toEqual([]);
  });

  it.each([
    ['DIRECTORY_URL'],
    ['DIRECTORY_FIND_SQL'],
    ['DIRECTORY_SET_PASSWORD_SQL'],
    ['DIRECTORY_HASH'],
  ])('sql without %s is refused naming it', (name) => {
    const env: Record<string, string> = { ...SQL };
    delete env[name];
    const problems = problemsOf(env);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${name}: `));
  });

  it.each([
    ['DIRECTORY_FIND_SQL', 'SELECT id, email FROM users WHERE email = $1'],
    ['DIRECTORY_FIND_SQL', "SELECT id, email FROM users WHERE email = ':identifier'"],
    ['DIRECTORY_SET_PASSWORD_SQL', 'UPDATE users SET password_hash = :hash WHERE id = :id'],
    ['DIRECTORY_SET_PASSWORD_SQL', 'UPDATE users SET password_hash = :password_hash WHERE id = :id; DROP TABLE users'],
    ['DIRECTORY_URL', 'mongodb://127.0.0.1/app'],
    ['DIRECTORY_HASH_COST', '3'],
  ])('a malformed %s stops resetd at start, naming it', async (name, value) => {
    const problems = await startProblemsOf({ ...SQL, [name]: value });
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.some((problem) => problem.startsWith(`${name}: `))).toBe(true);
  });

  it('a database password in DIRECTORY_URL is never echoed', async () => {
    const problems = await startProblemsOf({ ...SQL, DIRECTORY_URL: 'ftp://app:secret-password@db/app' });
    expect(problems.join('\n')).not.toContain('secret-password');
  });

  it('http needs an https URL (plain http only on loopback) and a secret', async () => {
    expect(await startProblemsOf({ DIRECTORY: 'http', DIRECTORY_URL: 'https://app.example.com/resetd', DIRECTORY_SECRET: 'a-secret-of-sixteen+' })).toEqual([]);
    const plain = await startProblemsOf({ DIRECTORY: 'http', DIRECTORY_URL: 'http://app.example.com/resetd', DIRECTORY_SECRET: 'a-secret-of-sixteen+' });
    expect(plain.some((problem) => problem.startsWith('DIRECTORY_URL: '))).toBe(true);
    expect(problemsOf({ DIRECTORY: 'http', DIRECTORY_URL: 'https://app.example.com/resetd' })).toEqual([
      expect.stringMatching(/^DIRECTORY_SECRET: must be set with DIRECTORY=http/),
    ]);
  });

  it('unleash needs UNLEASH_URL and UNLEASH_API_TOKEN, and never echoes the token', async () => {
    const problems = problemsOf({ DIRECTORY: 'unleash' });
    expect(problems.map((problem) => problem.split(':')[0])).toEqual(['UNLEASH_URL', 'UNLEASH_API_TOKEN']);
    const bad = await startProblemsOf({ DIRECTORY: 'unleash', UNLEASH_URL: 'not a url', UNLEASH_API_TOKEN: 'user:abc.secret-token' });
    expect(bad.some((problem) => problem.startsWith('UNLEASH_URL: '))).toBe(true);
    expect(bad.join('\n')).not.toContain('secret-token');
  });

  it('a setting another directory reads is named as a mistake', () => {
    expect(problemsOf({ DIRECTORY_FIND_SQL: 'SELECT 1' })).toEqual([
      'DIRECTORY_FIND_SQL: is read only with DIRECTORY=sql, but DIRECTORY=builtin',
    ]);
  });

  it('DIRECTORY_TIMEOUT_MS bounds every directory call', () => {
    expect(loadConfig({ DIRECTORY_TIMEOUT_MS: '1500' }).directory.timeoutMs).toBe(1500);
    expect(problemsOf({ DIRECTORY_TIMEOUT_MS: '0' })[0]).toMatch(/^DIRECTORY_TIMEOUT_MS: /);
  });
});
