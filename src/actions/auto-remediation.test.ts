import { describe, expect, it } from 'vitest';
import { type PageTier, pageEpisode } from './auto-remediation.ts';

const at = (minute: number) => new Date(Date.UTC(2026, 11, 1, 10, minute));
const tier = (name: string, firing: boolean, fired: number, resolved: number | null = null): PageTier => ({ tier: name, firing, firedAt: at(fired), resolvedAt: resolved === null ? null : at(resolved) });

describe('pageEpisode: one decision per page episode of an SLO', () => {
  it('is undefined while no page tier fires', () => {
    expect(pageEpisode([])).toBeUndefined();
    expect(pageEpisode([tier('page:1h/5m', false, 0, 20)])).toBeUndefined();
  });

  it('dates the episode by the tier that fired first, however many fire later', () => {
    expect(pageEpisode([tier('page:1h/5m', true, 5), tier('page:6h/30m', true, 12)])).toEqual({ since: at(5), tier: 'page:1h/5m' });
  });

  it('keeps the date when the first tier resolved while a later one kept firing', () => {
    expect(pageEpisode([tier('page:1h/5m', false, 5, 30), tier('page:6h/30m', true, 12)])).toEqual({ since: at(5), tier: 'page:1h/5m' });
  });

  it('starts a new episode after a gap with no page tier firing', () => {
    expect(pageEpisode([tier('page:1h/5m', false, 5, 10), tier('page:6h/30m', true, 40)])).toEqual({ since: at(40), tier: 'page:6h/30m' });
  });
});
