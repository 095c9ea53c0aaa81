// Scripted failures for the pager fakes: the next N requests answered with a status (429 with an
// optional Retry-After, 500, 503), the way rate limits and outages look on the wire.
export interface ScriptedFailure {
  status: number;
  retryAfter?: string;
}

export class FaultSchedule {
  readonly #queue: ScriptedFailure[] = [];
  /** The next `count` requests fail this way (after those already scripted). */
  failNext(count: number, failure: ScriptedFailure): void {
    for (let i = 0; i < count; i++) this.#queue.push(failure);
  }
  take(): ScriptedFailure | undefined {
    return this.#queue.shift();
  }
}
