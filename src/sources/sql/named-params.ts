// Users write BigQuery-style named parameters (@start, @end, …) in every SQL query.
// PostgreSQL only knows $1, $2, …, so they are rewritten here, token-aware: an "@end"
// inside a string literal, a quoted identifier, a comment or a dollar-quoted body is
// text, not a parameter, and PostgreSQL's own @-operators (@>, <@, @@) are left alone.

export interface PositionalQuery {
  text: string;
  /** Parameter names in $-number order ($1 = names[0]). */
  names: string[];
}

export class UnknownParameterError extends Error {
  readonly parameter: string;
  constructor(parameter: string, known: readonly string[], positional = false) {
    const list = known.map((k) => `@${k}`).join(', ');
    super(
      positional
        ? `positional parameter $${parameter} is not supported; use the named parameters ${list}`
        : `unknown parameter @${parameter} (available: ${list})`,
    );
    this.name = 'UnknownParameterError';
    this.parameter = parameter;
  }
}

const IDENT_START = /[A-Za-z_]/;
const IDENT_PART = /[A-Za-z0-9_]/;

/**
 * Rewrites @name to $n. `casts` gives each known parameter a PostgreSQL type, so a
 * parameter used only in arithmetic (`@window_seconds * 2`) still has one.
 */
export function toPositional(sql: string, casts: Readonly<Record<string, string>>): PositionalQuery {
  const known = Object.keys(casts);
  const names: string[] = [];
  let out = '';
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (c === "'") {
      // E'…' strings allow backslash escapes; standard strings only ''.
      const escaped = /[Ee]/.test(sql[i - 1] ?? '') && !IDENT_PART.test(sql[i - 2] ?? '');
      const end = skipQuoted(sql, i, "'", escaped);
      out += sql.slice(i, end);
      i = end;
    } else if (c === '"' || c === '`') {
      const end = skipQuoted(sql, i, c, false);
      out += sql.slice(i, end);
      i = end;
    } else if (c === '-' && next === '-') {
      const nl = sql.indexOf('\n', i);
      const end = nl === -1 ? n : nl;
      out += sql.slice(i, end);
      i = end;
    } else if (c === '/' && next === '*') {
      const end = skipBlockComment(sql, i);
      out += sql.slice(i, end);
      i = end;
    } else if (c === '$' && !IDENT_PART.test(sql[i - 1] ?? '')) {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i));
      const positional = /^\$(\d+)/.exec(sql.slice(i));
      if (positional) throw new UnknownParameterError(positional[1]!, known, true);
      if (tag) {
        const close = sql.indexOf(tag[0], i + tag[0].length);
        const end = close === -1 ? n : close + tag[0].length;
        out += sql.slice(i, end);
        i = end;
      } else {
        out += c;
        i++;
      }
    } else if (c === '@' && next !== undefined && IDENT_START.test(next) && !/[@<>]/.test(sql[i - 1] ?? '')) {
      let j = i + 1;
      while (j < n && IDENT_PART.test(sql[j]!)) j++;
      const name = sql.slice(i + 1, j);
      const cast = casts[name];
      if (cast === undefined) throw new UnknownParameterError(name, known);
      let index = names.indexOf(name);
      if (index === -1) index = names.push(name) - 1;
      out += `($${index + 1}::${cast})`;
      i = j;
    } else {
      out += c;
      i++;
    }
  }
  return { text: out, names };
}

/** Index just past the closing quote; a doubled quote is an escaped quote. */
function skipQuoted(sql: string, start: number, quote: string, backslashEscapes: boolean): number {
  let i = start + 1;
  while (i < sql.length) {
    const c = sql[i];
    if (backslashEscapes && c === '\\') {
      i += 2;
      continue;
    }
    if (c === quote) {
      if (sql[i + 1] === quote) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i++;
  }
  return sql.length;
}

/** PostgreSQL block comments nest. */
function skipBlockComment(sql: string, start: number): number {
  let depth = 0;
  let i = start;
  while (i < sql.length) {
    if (sql[i] === '/' && sql[i + 1] === '*') {
      depth++;
      i += 2;
    } else if (sql[i] === '*' && sql[i + 1] === '/') {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else {
      i++;
    }
  }
  return sql.length;
}
