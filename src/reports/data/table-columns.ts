// The store's tables arrive from several migrations (service 001–009, incidents 020–029,
// actions 030–039). The report reads whichever columns exist, so an install without the
// Slack bot or the actions still gets a report.
import type { Queryable } from '../../store/repositories/queryable.ts';

export async function tableColumns(q: Queryable, table: string): Promise<Set<string>> {
  const { rows } = await q.query<{ column_name: string }>(
    `SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1`,
    [table],
  );
  return new Set(rows.map((r) => r.column_name));
}

/** `column` when the table has it, else NULL under the same name. */
export function columnOrNull(columns: ReadonlySet<string>, column: string, type = 'text'): string {
  return columns.has(column) ? column : `NULL::${type} AS ${column}`;
}
