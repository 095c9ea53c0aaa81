import { describe, expect, it } from 'vitest';
import { sampleInputs, week } from './__fixtures__/sample.ts';
import { buildReport } from './build-report.ts';
import { freezeEntries } from './freeze-summary.ts';
import { renderHtml } from './render-html.ts';
import { renderMarkdown } from './render-markdown.ts';

const at = (days: number) => new Date(Date.parse(week.start) + days * 86_400_000).toISOString();

describe("the weekly report's deploy freezes", () => {
  it('counts only the part of each freeze inside the period, an ongoing one until the report', () => {
    const entries = freezeEntries(
      [
        { policy: 'p', sloId: 'ranker/availability', startedAt: at(-2), endedAt: at(1) },
        { policy: 'p', sloId: 'ranker/latency', startedAt: at(6), endedAt: null },
        { policy: 'p', sloId: 'ranker/latency', startedAt: at(-9), endedAt: at(-8) },
      ],
      week,
      new Date(at(6.5)),
    );
    expect(entries.map((e) => [e.sloId, e.frozenSeconds])).toEqual([
      ['ranker/availability', 86_400],
      ['ranker/latency', 43_200],
    ]);
  });

  it('shows a small section in the owning service, and none where nothing froze', () => {
    const report = buildReport({ ...sampleInputs(), freezes: [{ policy: 'ranking-freeze', sloId: 'ranker/availability', startedAt: at(2), endedAt: at(3) }] });
    const md = renderMarkdown(report);
    expect(md).toMatch(/\*\*Deploy freezes:\*\* `ranker\/availability` \(policy `ranking-freeze`\) from .* to .*, 1d this period\./);
    expect(md.match(/Deploy freezes/g)).toHaveLength(1);
    expect(renderHtml(report)).toContain('<b>Deploy freezes:</b> <code>ranker/availability</code>');
    expect(renderMarkdown(buildReport(sampleInputs()))).not.toContain('Deploy freezes');
  });
});
