// A probe must answer even when what it asks does not (a store behind a silent
// partition): wait at most `ms`, then fail naming what did not answer. The work itself
// goes on; its late result or error is dropped.
export class DeadlineError extends Error {
  readonly code = 'deadline';
  constructor(what: string, ms: number) {
    super(`${what} did not answer within ${ms / 1000}s`);
    this.name = 'DeadlineError';
  }
}

export async function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineError(what, ms)), ms);
  });
  work.catch(() => {}); // a late failure must not become an unhandled rejection
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}
