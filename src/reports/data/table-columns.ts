// The store's tables arrive from several migrations (service 001–009, incidents 020–029,
// actions 030–039). The report reads whichever columns exist, so an install without the
// Slack bot or the actions still gets a report.
import type { Queryable } from '../../store/repositories/queryable.ts';

export async function tableColumns(q: Queryable, table: string): Promise<Set<string>> {
  // The columns of an empty result: the same on both engines (no information_schema in SQLite).
  if (!/^[a-z_][a-z0-9_]*$/.test(table)) throw new Error(`not a table name: ${table}`);
  const { fields } = await q.query(`SELECT * FROM ${table} LIMIT 0`);
  return new Set((fields ?? []).map((f) => f.name));
}

/** `column` when the table has it, else NULL under the same name. */
export function columnOrNull(columns: ReadonlySet<string>, column: string, type = 'text'): string {
  return columns.has(column) ? column : `CAST(NULL AS ${type}) AS ${column}`;
}
