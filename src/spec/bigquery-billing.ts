// BigQuery's on-demand billing, as far as a DataSource can be checked offline: every query
// that reads a table is billed at least 10 MiB, and maximumBytesBilled caps the billed bytes,
// not the bytes scanned. A cap below the minimum refuses every query (bytesBilledLimitExceeded).
import type { Path } from './problem.ts';

/** 10 MiB: what BigQuery bills at least for a query that reads a table (and per table it reads). */
export const BIGQUERY_MIN_BILLED_BYTES = 10 * 2 ** 20;

/** A warning for a maximumBytesBilled no query can stay under; `written` is the value as in the file. */
export function maximumBytesBilledWarning(
  bytes: number | undefined,
  written: number | string | undefined,
): { path: Path; message: string } | undefined {
  if (bytes === undefined || bytes >= BIGQUERY_MIN_BILLED_BYTES) return undefined;
  const shown = typeof written === 'string' ? `${written} (${count(bytes)} bytes)` : `${count(bytes)} bytes`;
  return {
    path: ['spec', 'bigquery', 'maximumBytesBilled'],
    message:
      `${shown} is below the ${count(BIGQUERY_MIN_BILLED_BYTES)} bytes (10 MiB) BigQuery bills at least for every query, ` +
      'so BigQuery would refuse every query of this source (bytesBilledLimitExceeded); set it to 10MiB or more',
  };
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}
