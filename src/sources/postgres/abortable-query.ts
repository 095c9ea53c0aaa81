// One statement on a pooled connection that an abort (the evaluation cycle's deadline, a
// shutdown) stops on the server too, not only the wait for it: otherwise the statement
// runs on until statement_timeout, holding a connection and the database's time.
import type pg from 'pg';
import { backendKeyOf, sendCancelRequest } from './cancel-request.ts';

/** How an aborted statement ended on the server, for the message. */
export class QueryAbortedError extends Error {
  constructor(outcome: string) {
    super(outcome);
    this.name = 'QueryAbortedError';
  }
}

const QUERY_CANCELED = '57014';

/**
 * Like `pool.query`, but when `signal` aborts: sends a cancel request for the running
 * statement, waits (up to `graceMs`) for the connection to report the statement over, and
 * only then returns the connection to the pool, so a late cancel can never hit the next
 * statement on it. A connection that does not come back in time is closed instead.
 * Rejects with QueryAbortedError on abort, with the driver's error otherwise.
 */
export async function abortableQuery<R extends pg.QueryResultRow>(
  pool: pg.Pool,
  text: string,
  values: unknown[],
  signal: AbortSignal,
  graceMs: number,
  readOnly = false,
): Promise<pg.QueryResult<R>> {
  if (signal.aborted) throw new QueryAbortedError('the query was not sent');
  // One listener per statement, removed when it is over: a cycle runs many statements on one signal.
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<'aborted'>((resolve) => {
    onAbort = () => resolve('aborted');
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await run(pool, text, values, aborted, graceMs, readOnly);
  } finally {
    signal.removeEventListener('abort', onAbort!);
  }
}

async function run<R extends pg.QueryResultRow>(
  pool: pg.Pool,
  text: string,
  values: unknown[],
  aborted: Promise<'aborted'>,
  graceMs: number,
  readOnly: boolean,
): Promise<pg.QueryResult<R>> {
  const connecting = pool.connect();
  const first = await Promise.race([connecting, aborted]);
  if (first === 'aborted') {
    connecting.then((c) => c.release(), () => {});
    throw new QueryAbortedError('the query was not sent (no connection was free yet)');
  }
  const client = first;
  // While checked out, a dropped connection emits 'error' on the client; without a listener that would crash the process.
  let lost: Error | undefined;
  const onError = (error: Error) => {
    lost = error;
  };
  client.on('error', onError);
  const release = (destroy?: Error) => {
    client.removeListener('error', onError);
    client.release(destroy ?? lost);
  };

  // Read-only: the statement runs in a READ ONLY transaction that is rolled back after it
  // (so not even a SET it made outlives it), sent alone over the extended protocol (one
  // statement, no `; DELETE …` after it). A failed BEGIN/ROLLBACK fails the read.
  const statement = readOnly
    ? client
        .query('BEGIN TRANSACTION READ ONLY')
        .then(() => client.query<R>({ text, values, queryMode: 'extended' } as pg.QueryConfig))
        .then(
          async (result) => {
            await client.query('ROLLBACK');
            return result;
          },
          async (error: unknown) => {
            await client.query('ROLLBACK').catch(() => {});
            throw error;
          },
        )
    : client.query<R>(text, values);
  const running = statement.then(
    (result) => ({ result }),
    (error: unknown) => ({ error }),
  );
  const settled = await Promise.race([running, aborted]);
  if (settled !== 'aborted') {
    // As pool.query does: a connection whose statement failed is not reused.
    release('error' in settled ? (settled.error as Error) : undefined);
    if ('error' in settled) throw settled.error;
    return settled.result;
  }

  const key = backendKeyOf(client);
  const cancelError = key
    ? await sendCancelRequest(key, graceMs).then(() => undefined, (error: Error) => error)
    : new Error('the connection has no backend key');
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), graceMs);
  });
  const end = await Promise.race([running, late]);
  clearTimeout(timer);
  if (end === 'late') {
    release(new Error('statement still running after the cancel request'));
    throw new QueryAbortedError(
      cancelError
        ? `the cancel request failed (${cancelError.message}) and the query was still running ${graceMs} ms later; its connection was closed`
        : `PostgreSQL did not stop the query within ${graceMs} ms of the cancel request; its connection was closed`,
    );
  }
  if ('error' in end) {
    const code = (end.error as { code?: unknown }).code;
    if (code === QUERY_CANCELED) {
      release(); // the statement is over and the connection idle again: fit for the next one
      throw new QueryAbortedError('PostgreSQL cancelled the query on the server');
    }
    release(end.error as Error);
    throw new QueryAbortedError(`the query failed meanwhile: ${(end.error as Error).message}`);
  }
  release();
  throw new QueryAbortedError('the query finished just as the read was aborted; its answer was dropped');
}
