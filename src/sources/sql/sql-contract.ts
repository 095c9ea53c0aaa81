// The SQL contract every warehouse SLI query follows (README "Warehouse SLIs"): which
// parameters it gets and which columns it returns, per indicator kind. Rows come back
// from two drivers (pg, BigQuery) with different value types; they are read here.
import { toPositional } from './named-params.ts';

/** Parameters every query receives. */
export interface SqlParams {
  start: Date;
  end: Date;
  window_seconds: number;
  bucket_seconds: number;
}

/** PostgreSQL types of the parameters (BigQuery infers them from the values). */
export const POSTGRES_PARAM_TYPES: Readonly<Record<keyof SqlParams, string>> = {
  start: 'timestamptz',
  end: 'timestamptz',
  window_seconds: 'integer',
  bucket_seconds: 'integer',
};

export type Row = Record<string, unknown>;

/** The contract's parameters a query uses (not counting mentions in literals or comments). */
export function usedParameters(sql: string): (keyof SqlParams)[] {
  try {
    return toPositional(sql, POSTGRES_PARAM_TYPES).names as (keyof SqlParams)[];
  } catch {
    // An unknown parameter: the query itself will fail with the message that names it.
    return (Object.keys(POSTGRES_PARAM_TYPES) as (keyof SqlParams)[]).filter((n) => new RegExp(`@${n}\\b`).test(sql));
  }
}

/** A query that groups by `ts` per @bucket_seconds bucket can be cached per interval. */
export function isBucketed(sql: string): boolean {
  return usedParameters(sql).includes('bucket_seconds');
}

/** Thrown when rows do not follow the contract; the message says what to change in the SQL. */
export class ContractError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ContractError';
  }
}

/** Numbers arrive as number, string (pg bigint/numeric), bigint, or {value} (BigQuery wrapped ints). */
export function toNumber(value: unknown, column: string): number | null {
  if (value === null || value === undefined) return null;
  const raw =
    typeof value === 'object' && value !== null && 'value' in value ? (value as { value: unknown }).value : value;
  const n = typeof raw === 'bigint' ? Number(raw) : typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw) : Number.NaN;
  if (!Number.isFinite(n)) throw new ContractError(`column "${column}" must be a number, got ${JSON.stringify(String(raw))}`);
  return n;
}

/** Timestamps arrive as Date (pg timestamptz), {value: ISO} (BigQuery TIMESTAMP/DATETIME) or ISO strings. */
export function toDate(value: unknown, column: string): Date | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value;
  const raw = typeof value === 'object' && 'value' in value ? (value as { value: unknown }).value : value;
  if (typeof raw === 'string') {
    // BigQuery DATETIME has no zone; burnwatch reads it as UTC.
    const d = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(raw) ? raw : `${raw}Z`);
    if (!Number.isNaN(d.getTime())) return d;
  }
  throw new ContractError(`column "${column}" must be a TIMESTAMP (timestamptz), got ${JSON.stringify(String(raw))}`);
}

function column(row: Row, name: string): unknown {
  if (name in row) return row[name];
  const key = Object.keys(row).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : row[key];
}

function requireColumn(rows: readonly Row[], name: string, hint: string): void {
  const first = rows[0];
  if (first !== undefined && column(first, name) === undefined) {
    throw new ContractError(`missing column "${name}" (got ${Object.keys(first).join(', ') || 'no columns'}); ${hint}`);
  }
}

export type RatioColumn = 'good' | 'bad' | 'total';
export type RatioValues = Partial<Record<RatioColumn, number>>;

/** One-row form: the aggregate over [@start, @end). No row, or NULLs, mean zero events. */
export function readRatioRow(rows: readonly Row[], columns: readonly RatioColumn[]): RatioValues {
  if (rows.length > 1) {
    throw new ContractError(
      `returned ${rows.length} rows; a ratio query returns one row for [@start, @end) (or groups by ts per @bucket_seconds)`,
    );
  }
  const out: RatioValues = {};
  for (const c of columns) {
    requireColumn(rows, c, `alias the aggregate, e.g. COUNT(*) AS ${c}`);
    out[c] = rows[0] ? (toNumber(column(rows[0], c), c) ?? 0) : 0;
  }
  return out;
}

export interface TimedRow<T> {
  ts: Date;
  values: T;
}

/** Bucketed ratio rows: (ts, good|bad, total) per bucket. */
export function readRatioBuckets(rows: readonly Row[], columns: readonly RatioColumn[]): TimedRow<RatioValues>[] {
  requireColumn(rows, 'ts', 'a query that uses @bucket_seconds returns one row per bucket with its start as ts');
  return rows.map((row) => {
    const ts = toDate(column(row, 'ts'), 'ts');
    if (ts === null) throw new ContractError('column "ts" is NULL; every bucket row needs its start time');
    const values: RatioValues = {};
    for (const c of columns) {
      requireColumn([row], c, `alias the aggregate, e.g. COUNT(*) AS ${c}`);
      values[c] = toNumber(column(row, c), c) ?? 0;
    }
    return { ts, values };
  });
}

/** throughput / threshold rows: (ts, value); NULL values are skipped (no measurement). */
export function readSeries(rows: readonly Row[]): TimedRow<number>[] {
  requireColumn(rows, 'ts', 'return rows (ts, value) covering [@start, @end)');
  requireColumn(rows, 'value', 'return rows (ts, value) covering [@start, @end)');
  const out: TimedRow<number>[] = [];
  for (const row of rows) {
    const ts = toDate(column(row, 'ts'), 'ts');
    const value = toNumber(column(row, 'value'), 'value');
    if (ts !== null && value !== null) out.push({ ts, values: value });
  }
  return out;
}

/** freshness rows: last_update (the latest before @end), or the update history; NULL means never. */
export function readUpdates(rows: readonly Row[]): Date[] {
  requireColumn(rows, 'last_update', 'return the latest update before @end, e.g. MAX(updated_at) AS last_update');
  const out: Date[] = [];
  for (const row of rows) {
    const d = toDate(column(row, 'last_update'), 'last_update');
    if (d !== null) out.push(d);
  }
  return out;
}
