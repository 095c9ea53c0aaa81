import { describe, expect, it } from 'vitest';
import { checkSlackTimestamp } from './request-guard.ts';

const now = new Date('2026-11-22T04:00:00Z');
const ts = (offsetSeconds: number) => String(now.getTime() / 1000 + offsetSeconds);

describe('Slack request timestamps', () => {
  it('accepts up to five minutes of skew either way', () => {
    for (const skew of [0, -300, 300, -1, 1]) expect(checkSlackTimestamp(ts(skew), now)).toEqual({ ok: true });
  });

  it('refuses stale and far-future timestamps, and missing or malformed ones', () => {
    expect(checkSlackTimestamp(ts(-301), now)).toEqual({ ok: false, reason: 'stale request (301 s old)' });
    expect(checkSlackTimestamp(ts(301), now)).toEqual({ ok: false, reason: 'request timestamp 301 s in the future' });
    expect(checkSlackTimestamp(ts(365 * 86_400), now).ok).toBe(false);
    expect(checkSlackTimestamp(undefined, now)).toEqual({ ok: false, reason: 'missing x-slack-request-timestamp' });
    for (const bad of ['', 'abc', '1763784000.5', '-1763784000', '1e9']) expect(checkSlackTimestamp(bad, now).ok).toBe(false);
  });
});
