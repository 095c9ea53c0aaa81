import { describe, expect, it } from 'vitest';
import { promqlError, sqlErrors } from './query-check.ts';

describe('promqlError', () => {
  it('accepts valid PromQL with $window', () => {
    expect(promqlError('sum(increase(ranker_requests_total{code=~"5.."}[$window])) / sum(increase(ranker_requests_total[$window]))')).toBeUndefined();
    expect(promqlError('avg_over_time(((time() - max(m{model="x"})) <= bool 21600)[1h:1m])')).toBeUndefined();
  });

  it('reports positions in the query as written, after a $window', () => {
    // "sum(rate(a[$window])) +" : the error is at the end, column 24 of the written text.
    expect(promqlError('sum(rate(a[$window])) +')).toMatch(/^PromQL syntax error at 1:24 of the query: unexpected end of query/);
    expect(promqlError('rate(a[$window]) + rate(b[$window] bogus')).toMatch(/at 1:36 of the query: unexpected "bogus"/);
  });

  it('reports the line of a multi-line query and shows it with a caret', () => {
    const message = promqlError('sum(\n  rate(a[5m])\n  ) by (code')!;
    expect(message).toMatch(/at 3:13 of the query: unexpected end of query/);
    expect(message).toContain('\n      ) by (code\n                ^');
  });

  it('points at label matchers without quotes', () => {
    expect(promqlError('a{code=5}')).toMatch(/at 1:8 of the query: unexpected "5}"/);
  });
});

describe('sqlErrors', () => {
  it('accepts the parameters burnwatch binds', () => {
    expect(sqlErrors('SELECT COUNT(*) AS total FROM t WHERE ts >= @start AND ts < @end AND @window_seconds > 0 GROUP BY @bucket_seconds')).toEqual([]);
  });

  it('ignores @ inside strings, quoted names, comments and @@system variables', () => {
    expect(sqlErrors("SELECT 'a@b.com', \"x@y\", `p@q.t` FROM t -- @nothing\nWHERE project = @@project_id AND ts < @end")).toEqual([]);
  });

  it('names an unknown parameter once, with a suggestion', () => {
    expect(sqlErrors('SELECT 1 WHERE a > @strt AND b > @strt')).toEqual([
      'unknown SQL parameter @strt (did you mean "start"?): burnwatch binds @start, @end, @window_seconds, @bucket_seconds',
    ]);
  });
});
