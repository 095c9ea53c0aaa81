// The few rewrites that let the store's SQL (written for node-postgres) run on SQLite, applied
// outside string literals, quoted identifiers and comments:
// - `$1` → `?1` (SQLite's numbered parameters; a number may repeat, as in PostgreSQL);
// - PostgreSQL casts `::type` are dropped: SQLite is dynamically typed, and the adapter shapes
//   results by the columns' declared types. Where a value's type must really change (text from
//   a JSON field compared with a number), write `CAST(x AS double precision)`, which both accept;
// - `FOR UPDATE` is dropped: an SQLite transaction is already the only writer (BEGIN IMMEDIATE).
// Everything else is passed through unchanged; see src/store/SQL.md for the subset.

const CAST = /::\s*(?:double\s+precision|timestamp(?:tz)?(?:\s+with(?:out)?\s+time\s+zone)?|[a-z_][a-z0-9_]*)(?:\s*\[\])?/gi;
const FOR_UPDATE = /\s+FOR\s+UPDATE(?:\s+(?:NOWAIT|SKIP\s+LOCKED))?\b/gi;

/** Splits `sql` into code and non-code (strings, quoted names, comments), in order. */
function segments(sql: string): Array<{ code: boolean; text: string }> {
  const out: Array<{ code: boolean; text: string }> = [];
  let i = 0;
  let start = 0;
  const push = (code: boolean, end: number) => {
    if (end > start) out.push({ code, text: sql.slice(start, end) });
    start = end;
  };
  while (i < sql.length) {
    const c = sql[i];
    if (c === "'" || c === '"') {
      push(true, i);
      let j = i + 1;
      while (j < sql.length) {
        if (sql[j] === c) {
          if (sql[j + 1] === c) j += 2;
          else break;
        } else j++;
      }
      i = j + 1;
      push(false, Math.min(i, sql.length));
    } else if (c === '-' && sql[i + 1] === '-') {
      push(true, i);
      const end = sql.indexOf('\n', i);
      i = end === -1 ? sql.length : end;
      push(false, i);
    } else if (c === '/' && sql[i + 1] === '*') {
      push(true, i);
      const end = sql.indexOf('*/', i + 2);
      i = end === -1 ? sql.length : end + 2;
      push(false, i);
    } else i++;
  }
  push(true, sql.length);
  return out;
}

export function toSqliteQuery(sql: string): string {
  return segments(sql)
    .map((s) => (s.code ? s.text.replace(CAST, '').replace(FOR_UPDATE, '').replace(/\$(\d+)/g, '?$1') : s.text))
    .join('');
}

/** Statements of a migration file, comments removed, split on top-level semicolons. */
export function splitStatements(sql: string): string[] {
  const statements: string[] = [];
  let current = '';
  for (const s of segments(sql)) {
    if (!s.code) {
      if (!s.text.startsWith('--') && !s.text.startsWith('/*')) current += s.text;
      continue;
    }
    const parts = s.text.split(';');
    current += parts[0];
    for (const part of parts.slice(1)) {
      statements.push(current);
      current = part;
    }
  }
  statements.push(current);
  return statements.map((x) => x.trim()).filter((x) => x !== '');
}

/** Splits on commas outside parentheses and quotes. */
function topLevelCommas(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const s of segments(text)) {
    if (!s.code) {
      current += s.text;
      continue;
    }
    for (const ch of s.text) {
      if (ch === '(') depth++;
      if (ch === ')') depth--;
      if (ch === ',' && depth === 0) {
        parts.push(current);
        current = '';
      } else current += ch;
    }
  }
  parts.push(current);
  return parts.map((p) => p.trim());
}

const IDENTITY = /\bbigint\s+GENERATED\s+(?:ALWAYS|BY\s+DEFAULT)\s+AS\s+IDENTITY\s+PRIMARY\s+KEY\b/gi;
const ALTER_ADD = /^ALTER\s+TABLE\s+(\S+)\s+(ADD\s+COLUMN\s[\s\S]*)$/i;

/**
 * A migration's statements for SQLite: an identity key becomes `INTEGER PRIMARY KEY
 * AUTOINCREMENT` (never reuses an id, like PostgreSQL's identity), and one ALTER TABLE with
 * several ADD COLUMN becomes one ALTER per column. Everything else runs as written.
 */
export function toSqliteMigration(sql: string): string[] {
  const out: string[] = [];
  for (const statement of splitStatements(sql)) {
    const s = toSqliteQuery(statement.replace(IDENTITY, 'INTEGER PRIMARY KEY AUTOINCREMENT'));
    const alter = ALTER_ADD.exec(s);
    if (alter) {
      for (const add of topLevelCommas(alter[2]!)) out.push(`ALTER TABLE ${alter[1]} ${add}`);
    } else out.push(s);
  }
  return out;
}
