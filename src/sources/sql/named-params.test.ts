import { describe, expect, it } from 'vitest';
import { toPositional, UnknownParameterError } from './named-params.ts';

const CASTS = { start: 'timestamptz', end: 'timestamptz', window_seconds: 'integer' };

describe('toPositional', () => {
  it('numbers each distinct parameter once, in order of first use, with its type', () => {
    const q = toPositional('SELECT count(*) FROM t WHERE ts >= @start AND ts < @end AND ts > @start - make_interval(secs => @window_seconds)', CASTS);
    expect(q.text).toBe(
      'SELECT count(*) FROM t WHERE ts >= ($1::timestamptz) AND ts < ($2::timestamptz) AND ts > ($1::timestamptz) - make_interval(secs => ($3::integer))',
    );
    expect(q.names).toEqual(['start', 'end', 'window_seconds']);
  });

  it('leaves @words inside literals, quoted identifiers, comments and dollar quotes alone', () => {
    const sql = [
      "SELECT 'mail me @end' AS a, 'it''s @start' AS b, E'\\' @end' AS c, \"col@end\" AS d,",
      '$$ @start $$ AS e, $tag$ @end $tag$ AS f -- @start in a comment',
      '/* @end /* nested @start */ still comment @end */ FROM t WHERE x = @end',
    ].join('\n');
    const q = toPositional(sql, CASTS);
    expect(q.names).toEqual(['end']);
    expect(q.text.match(/\$1::/g)).toHaveLength(1);
    expect(q.text.endsWith('WHERE x = ($1::timestamptz)')).toBe(true);
    expect(q.text).toContain("'mail me @end'");
    expect(q.text).toContain("'it''s @start'");
  });

  it("keeps PostgreSQL's own @ operators untouched", () => {
    const q = toPositional("SELECT tags @> ARRAY['a'], ARRAY['a'] <@ tags, doc @@ to_tsquery('x'), @ -5 FROM t WHERE ts < @end", CASTS);
    expect(q.text).toBe("SELECT tags @> ARRAY['a'], ARRAY['a'] <@ tags, doc @@ to_tsquery('x'), @ -5 FROM t WHERE ts < ($1::timestamptz)");
  });

  it('refuses positional $n, which would silently bind to a named parameter', () => {
    expect(() => toPositional('SELECT 1 WHERE ts < $1', CASTS)).toThrow('positional parameter $1 is not supported; use the named parameters @start');
  });

  it('refuses an unknown parameter and lists the known ones', () => {
    expect(() => toPositional('SELECT 1 WHERE ts > @since', CASTS)).toThrow(UnknownParameterError);
    expect(() => toPositional('SELECT 1 WHERE ts > @since', CASTS)).toThrow('unknown parameter @since (available: @start, @end, @window_seconds)');
  });
});
