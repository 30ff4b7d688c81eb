import { describe, expect, it } from 'vitest';
import { bindParameters, parseNamedParameters } from '../../src/directory/sql/named-parameters.ts';
import { compileStatement } from '../../src/directory/sql/statements.ts';

describe('named parameters', () => {
  it('become $1… for PostgreSQL, one number per name however often it is used', () => {
    const { statement, problems } = parseNamedParameters('UPDATE u SET h = :password_hash WHERE id = :id AND old <> :password_hash', 'postgres');
    expect(problems).toEqual([]);
    expect(statement.text).toBe('UPDATE u SET h = $1 WHERE id = $2 AND old <> $1');
    expect(bindParameters(statement, { id: '7', password_hash: 'H' })).toEqual(['H', '7']);
  });

  it('become one ? per use for MySQL and SQLite, bound in order of appearance', () => {
    for (const engine of ['mysql', 'sqlite'] as const) {
      const { statement } = parseNamedParameters('UPDATE u SET h = :password_hash WHERE id = :id AND old <> :password_hash', engine);
      expect(statement.text).toBe('UPDATE u SET h = ? WHERE id = ? AND old <> ?');
      expect(bindParameters(statement, { id: '7', password_hash: 'H' })).toEqual(['H', '7', 'H']);
    }
  });

  it('are not looked for inside string literals, with doubled quotes', () => {
    const sql = "SELECT id FROM u WHERE note <> 'it''s :id' AND email = :identifier";
    for (const engine of ['postgres', 'mysql', 'sqlite'] as const) {
      const parsed = parseNamedParameters(sql, engine);
      expect(parsed.used).toEqual(['identifier']);
      expect(parsed.statement.text).toContain("'it''s :id'");
    }
  });

  it('are not looked for inside quoted names or comments', () => {
    const sql = 'SELECT "a:b", `c:d` /* :x */ FROM u -- :y\nWHERE email = :identifier';
    for (const engine of ['postgres', 'mysql', 'sqlite'] as const) {
      const parsed = parseNamedParameters(sql, engine);
      expect(parsed.used).toEqual(['identifier']);
      expect(parsed.problems).toEqual([]);
    }
    expect(parseNamedParameters('SELECT [odd:name] FROM u WHERE e = :identifier', 'sqlite').used).toEqual(['identifier']);
    expect(parseNamedParameters('SELECT 1 # :x\nFROM u WHERE e = :identifier', 'mysql').used).toEqual(['identifier']);
  });

  it('leave PostgreSQL casts alone', () => {
    const parsed = parseNamedParameters('SELECT id::text FROM u WHERE email = :identifier::citext', 'postgres');
    expect(parsed.statement.text).toBe('SELECT id::text FROM u WHERE email = $1::citext');
    expect(parsed.used).toEqual(['identifier']);
  });

  it('skip PostgreSQL dollar-quoted strings, tagged or not', () => {
    const parsed = parseNamedParameters('SELECT $$ :a $$, $fn$ it\'s :b $fn$, a$b$ FROM u WHERE e = :identifier', 'postgres');
    expect(parsed.used).toEqual(['identifier']);
    expect(parsed.problems).toEqual([]);
    expect(parsed.statement.text).toContain('$fn$ it\'s :b $fn$');
  });

  it('skip nested block comments in PostgreSQL only', () => {
    expect(parseNamedParameters('SELECT 1 /* a /* :x */ :y */ WHERE e = :identifier', 'postgres').used).toEqual(['identifier']);
    expect(parseNamedParameters('SELECT 1 /* a /* :x */ WHERE e = :identifier', 'mysql').used).toEqual(['identifier']);
  });

  it('honour backslash escapes in MySQL strings and PostgreSQL E-strings, not in standard strings', () => {
    expect(parseNamedParameters("SELECT 'a\\' :x' WHERE e = :identifier", 'mysql').used).toEqual(['identifier']);
    expect(parseNamedParameters("SELECT E'a\\' :x' WHERE e = :identifier", 'postgres').used).toEqual(['identifier']);
    // In a standard PostgreSQL string a backslash is a character: the string ends after it.
    expect(parseNamedParameters("SELECT 'a\\', :identifier", 'postgres').used).toEqual(['identifier']);
  });

  it('report an unterminated literal or comment', () => {
    expect(parseNamedParameters("SELECT ':identifier", 'postgres').problems).toEqual(['has an unterminated string, quoted name or comment']);
    expect(parseNamedParameters('SELECT 1 /* :identifier', 'sqlite').problems).toEqual(['has an unterminated string, quoted name or comment']);
    expect(parseNamedParameters('SELECT $x$ :identifier', 'postgres').problems).toEqual(['has an unterminated string, quoted name or comment']);
  });

  it('allow one trailing semicolon and refuse a second statement', () => {
    const one = parseNamedParameters('DELETE FROM s WHERE u = :id;  -- done\n', 'mysql');
    expect(one.problems).toEqual([]);
    expect(one.statement.text).not.toContain(';');
    expect(parseNamedParameters('DELETE FROM s WHERE u = :id; DROP TABLE u', 'mysql').problems).toEqual(['must be a single statement']);
    expect(parseNamedParameters("SELECT ';' FROM u WHERE e = :identifier", 'sqlite').problems).toEqual([]);
  });

  it('refuse positional placeholders, which would take values by position', () => {
    expect(parseNamedParameters('SELECT 1 WHERE a = $1', 'postgres').problems[0]).toMatch(/\$1/);
    expect(parseNamedParameters('SELECT 1 WHERE a = ?', 'mysql').problems[0]).toMatch(/\?/);
    expect(parseNamedParameters('SELECT 1 WHERE a = @a', 'sqlite').problems[0]).toMatch(/:name/);
    // jsonb's ? operator is not a placeholder in PostgreSQL.
    expect(parseNamedParameters("SELECT 1 WHERE data ? 'k' AND e = :identifier", 'postgres').problems).toEqual([]);
  });

  it('refuse to bind a statement without a value for each parameter', () => {
    const { statement } = parseNamedParameters('SELECT :identifier', 'sqlite');
    expect(() => bindParameters(statement, {})).toThrow(/:identifier/);
  });
});

describe('statement settings', () => {
  it('name the setting, the missing parameter and the unknown one', () => {
    expect(compileStatement('DIRECTORY_FIND_SQL', 'SELECT id, email FROM u WHERE email = :email', 'postgres').problems).toEqual([
      'DIRECTORY_FIND_SQL: must use the parameter :identifier',
      'DIRECTORY_FIND_SQL: unknown parameter :email (it may use :identifier)',
    ]);
    expect(compileStatement('DIRECTORY_SET_PASSWORD_SQL', 'UPDATE u SET h = :password_hash', 'mysql').problems).toEqual([
      'DIRECTORY_SET_PASSWORD_SQL: must use the parameter :id',
    ]);
    expect(compileStatement('DIRECTORY_AFTER_SET_SQL', 'DELETE FROM sessions', 'sqlite').problems).toEqual([
      'DIRECTORY_AFTER_SET_SQL: must use the parameter :id',
    ]);
    expect(compileStatement('DIRECTORY_AFTER_SET_SQL', 'INSERT INTO history VALUES (:id, :password_hash)', 'sqlite').problems).toEqual([]);
    expect(compileStatement('DIRECTORY_FIND_SQL', '  ', 'sqlite').problems).toEqual(['DIRECTORY_FIND_SQL: is required']);
  });
});
