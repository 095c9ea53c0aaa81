// Helpers for SQL in the portable subset (src/store/SQL.md).

/** `$1, $2, …, $n` (from `$first`): an IN list or a VALUES row, since arrays are not portable. */
export function placeholders(n: number, first = 1): string {
  return Array.from({ length: n }, (_, i) => `$${first + i}`).join(', ');
}

/**
 * One multi-row VALUES list for `rows` of `width` values each, numbered from `$first`:
 * `($1, $2), ($3, $4)`. Callers chunk so that a statement stays under both engines' parameter
 * limits (PostgreSQL 65 535, SQLite 32 766).
 */
export function valuesList(rows: number, width: number, first = 1): string {
  return Array.from({ length: rows }, (_, r) => `(${placeholders(width, first + r * width)})`).join(', ');
}

/** Rows per INSERT for `width` columns: well under both engines' parameter limits. */
export const rowsPerInsert = (width: number): number => Math.max(1, Math.floor(30_000 / width));
