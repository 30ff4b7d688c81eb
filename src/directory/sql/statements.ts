import { type CompiledStatement, parseNamedParameters, type SqlEngine } from './named-parameters.ts';

/**
 * The three statements an operator writes, and the parameters each may use.
 *
 * DIRECTORY_FIND_SQL gets `:identifier`: an email address already NFC-normalised and
 * lower-cased, or, for the dialect that names accounts by id or username, that text as
 * sent. Compare it with the stored address lower-cased, for example
 *   SELECT id, email, name, locale, NOT active AS disabled FROM users WHERE lower(email) = :identifier
 *
 * DIRECTORY_AFTER_SET_SQL must use `:id`: a statement that does not name the account
 * (`DELETE FROM sessions`) would act on every account at each reset.
 */
export type StatementSetting = 'DIRECTORY_FIND_SQL' | 'DIRECTORY_SET_PASSWORD_SQL' | 'DIRECTORY_AFTER_SET_SQL';

interface StatementRule {
  required: readonly string[];
  allowed: readonly string[];
}

const RULES: Readonly<Record<StatementSetting, StatementRule>> = {
  DIRECTORY_FIND_SQL: { required: ['identifier'], allowed: ['identifier'] },
  DIRECTORY_SET_PASSWORD_SQL: { required: ['id', 'password_hash'], allowed: ['id', 'password_hash'] },
  // :password_hash too, for an application that keeps a password history.
  DIRECTORY_AFTER_SET_SQL: { required: ['id'], allowed: ['id', 'password_hash'] },
};

/** The statement in the driver's placeholders, and what is wrong with it (each problem names the setting). */
export function compileStatement(setting: StatementSetting, sql: string, engine: SqlEngine): { statement: CompiledStatement; problems: string[] } {
  const rule = RULES[setting];
  if (sql.trim() === '') return { statement: { text: '', placeholders: [] }, problems: [`${setting}: is required`] };
  const parsed = parseNamedParameters(sql, engine);
  const problems = parsed.problems.map((problem) => `${setting}: ${problem}`);
  for (const name of rule.required) {
    if (!parsed.used.includes(name)) problems.push(`${setting}: must use the parameter :${name}`);
  }
  for (const name of parsed.used) {
    if (!rule.allowed.includes(name)) {
      problems.push(`${setting}: unknown parameter :${name} (it may use ${rule.allowed.map((n) => `:${n}`).join(', ')})`);
    }
  }
  return { statement: parsed.statement, problems };
}
