/**
 * Operators write `:name` parameters; each driver wants its own placeholders. A small
 * tokenizer finds the parameters outside string literals, quoted names and comments, so
 * values always travel as bound parameters and never as text spliced into SQL.
 */

export type SqlEngine = 'postgres' | 'mysql' | 'sqlite';

export interface CompiledStatement {
  /** The statement with the driver's placeholders: $1… for PostgreSQL, ? for MySQL and SQLite. */
  text: string;
  /** The parameter behind each placeholder, in order: `$k` is `placeholders[k-1]`; each `?` has its own entry. */
  placeholders: string[];
}

export interface ParsedStatement {
  statement: CompiledStatement;
  /** Every parameter name used, once each. */
  used: string[];
  /** What is wrong with the text, in plain words (no setting name). */
  problems: string[];
}

const NAME_START = /[A-Za-z_]/;
const NAME_PART = /[A-Za-z0-9_]/;
// PostgreSQL identifiers may contain `$`, so `a$b$` is a name, not a dollar quote.
const PG_NAME_PART = /[A-Za-z0-9_$]/;

export function parseNamedParameters(sql: string, engine: SqlEngine): ParsedStatement {
  const problems = new Set<string>();
  const placeholders: string[] = [];
  const pgIndex = new Map<string, number>();
  let out = '';
  let i = 0;
  let ended = false; // a `;` was seen: anything but space and comments after it is a second statement

  const emit = (text: string) => {
    if (ended && /\S/.test(text)) problems.add('must be a single statement');
    out += text;
  };
  // From an opening quote at `start`, the index just past its closing quote (-1 when unterminated).
  const skipQuoted = (start: number, quote: string, backslashEscapes: boolean): number => {
    let j = start + 1;
    while (j < sql.length) {
      const c = sql[j]!;
      if (backslashEscapes && c === '\\') j += 2;
      else if (c === quote && sql[j + 1] === quote) j += 2;
      else if (c === quote) return j + 1;
      else j++;
    }
    return -1;
  };
  const takeUntil = (end: number) => {
    if (end < 0) {
      problems.add('has an unterminated string, quoted name or comment');
      end = sql.length;
    }
    emit(sql.slice(i, end));
    i = end;
  };

  while (i < sql.length) {
    const c = sql[i]!;
    const next = sql[i + 1] ?? '';
    const before = sql[i - 1] ?? '';
    if (c === "'") {
      // PostgreSQL's E'…' strings honour backslash escapes; MySQL's strings always do.
      const escapeString = engine === 'postgres' && /[Ee]/.test(before) && !PG_NAME_PART.test(sql[i - 2] ?? '');
      takeUntil(skipQuoted(i, "'", engine === 'mysql' || escapeString));
    } else if (c === '"') {
      takeUntil(skipQuoted(i, '"', engine === 'mysql'));
    } else if (c === '`') {
      takeUntil(skipQuoted(i, '`', false));
    } else if (c === '[' && engine === 'sqlite') {
      const end = sql.indexOf(']', i);
      takeUntil(end < 0 ? -1 : end + 1);
    } else if ((c === '-' && next === '-') || (c === '#' && engine === 'mysql')) {
      const end = sql.indexOf('\n', i);
      out += sql.slice(i, end < 0 ? sql.length : end);
      i = end < 0 ? sql.length : end;
    } else if (c === '/' && next === '*') {
      const end = blockCommentEnd(sql, i, engine === 'postgres');
      if (end < 0) problems.add('has an unterminated string, quoted name or comment');
      out += sql.slice(i, end < 0 ? sql.length : end);
      i = end < 0 ? sql.length : end;
    } else if (c === '$' && engine === 'postgres' && !PG_NAME_PART.test(before)) {
      const tag = /^\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i))?.[0];
      const positional = /^\$\d+/.exec(sql.slice(i))?.[0];
      if (tag) {
        const close = sql.indexOf(tag, i + tag.length);
        takeUntil(close < 0 ? -1 : close + tag.length);
      } else {
        if (positional) problems.add(`uses the placeholder ${positional}: use named parameters such as :id`);
        emit(c);
        i++;
      }
    } else if (c === ':' && next === ':') {
      emit('::'); // a PostgreSQL cast, never a parameter
      i += 2;
    } else if (c === ':' && NAME_START.test(next)) {
      let end = i + 1;
      while (end < sql.length && NAME_PART.test(sql[end]!)) end++;
      const name = sql.slice(i + 1, end);
      if (engine === 'postgres') {
        if (!pgIndex.has(name)) {
          placeholders.push(name);
          pgIndex.set(name, placeholders.length);
        }
        emit(`$${pgIndex.get(name)}`);
      } else {
        placeholders.push(name);
        emit('?');
      }
      i = end;
    } else if (c === '?' && engine !== 'postgres') {
      // In PostgreSQL `?` is a jsonb operator; elsewhere it is a positional placeholder.
      problems.add('uses the placeholder ?: use named parameters such as :id');
      emit(c);
      i++;
    } else if ((c === '@' || c === '$') && engine === 'sqlite' && NAME_START.test(next)) {
      problems.add(`uses SQLite's ${c}name parameters: write :name instead`);
      emit(c);
      i++;
    } else if (c === ';') {
      if (ended) problems.add('must be a single statement');
      ended = true; // a trailing `;` is dropped: drivers take one statement without it
      i++;
    } else {
      emit(c);
      i++;
    }
  }
  return {
    statement: { text: out.trim(), placeholders },
    used: [...new Set(placeholders)],
    problems: [...problems],
  };
}

/** The index just past the comment opening at `start`; PostgreSQL nests block comments, the others do not. */
function blockCommentEnd(sql: string, start: number, nested: boolean): number {
  let depth = 0;
  let j = start;
  while (j < sql.length) {
    if (sql.startsWith('/*', j) && (nested || depth === 0)) {
      depth++;
      j += 2;
    } else if (sql.startsWith('*/', j)) {
      depth--;
      j += 2;
      if (depth === 0) return j;
    } else {
      j++;
    }
  }
  return -1;
}

/** The values in placeholder order. A name without a value is a programming error, not an operator's. */
export function bindParameters(statement: CompiledStatement, values: Readonly<Record<string, string>>): string[] {
  return statement.placeholders.map((name) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no value for the parameter :${name}`);
    return value;
  });
}
