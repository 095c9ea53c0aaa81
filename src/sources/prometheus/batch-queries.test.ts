import { describe, expect, it } from 'vitest';
import { planFamilies, planQueries } from './batch-queries.ts';
import { fillWindow, WINDOW_SLOT } from './window-slot.ts';

const ratio = (v: string) =>
  `label_replace(sum(increase(req_total{model="${v}",code="500"}[1h])), "burnwatch_part", "bad", "", "") or label_replace(sum(increase(req_total{model="${v}"}[1h])), "burnwatch_part", "total", "", "")`;

describe('planQueries', () => {
  it('merges queries that differ only in one label value into one regex query grouped by that label', () => {
    const plan = planQueries([ratio('a'), ratio('b'), ratio('c.1')]);
    expect(plan.queries).toEqual([
      `label_replace(sum by (model)(increase(req_total{model=~"a|b|c\\\\.1",code="500"}[1h])), "burnwatch_part", "bad", "", "") or label_replace(sum by (model)(increase(req_total{model=~"a|b|c\\\\.1"}[1h])), "burnwatch_part", "total", "", "")`,
    ]);
    expect(plan.routes).toEqual([
      { query: 0, label: 'model', value: 'a' },
      { query: 0, label: 'model', value: 'b' },
      { query: 0, label: 'model', value: 'c.1' },
    ]);
  });

  it('adds the label to an existing by() list', () => {
    const q = (v: string) => `histogram_quantile(0.99, sum by (le) (rate(d_bucket{svc="${v}"}[5m])))`;
    expect(planQueries([q('x'), q('y')]).queries).toEqual([`histogram_quantile(0.99, sum by (svc, le) (rate(d_bucket{svc=~"x|y"}[5m])))`]);
  });

  it('asks alone what it cannot prove equivalent', () => {
    const onJoin = (v: string) => `sum(a{m="${v}"}) * on() group_left() max(b{m="${v}"})`;
    const missingInOneSelector = (v: string) => `sum(a{m="${v}"}) / sum(b)`;
    const withVector = (v: string) => `sum(a{m="${v}"}) or vector(0)`;
    const topk = (v: string) => `topk(1, a{m="${v}"})`;
    const different = [ratio('a').replace('[1h]', '[5m]'), ratio('b')];
    for (const pair of [[onJoin('a'), onJoin('b')], [missingInOneSelector('a'), missingInOneSelector('b')], [withVector('a'), withVector('b')], [topk('a'), topk('b')], different]) {
      const plan = planQueries(pair);
      expect(plan.queries).toEqual(pair);
      expect(plan.routes.every((r) => r.label === undefined)).toBe(true);
    }
  });

  it('merges only queries whose other literals are equal too, whatever the quoting', () => {
    const q = (v: string, code: string) => `sum(increase(req_total{model="${v}",code="${code}"}[1h]))`;
    const plan = planQueries([q('a', '500'), q('b', '404'), `sum(increase(req_total{model='c',code="500"}[1h]))`]);
    expect(plan.queries).toEqual([q('b', '404'), `sum by (model)(increase(req_total{model=~"a|c",code="500"}[1h]))`]);
    expect(plan.routes).toEqual([{ query: 1, label: 'model', value: 'a' }, { query: 0 }, { query: 1, label: 'model', value: 'c' }]);
  });

  it('does not merge on a label that label_replace writes', () => {
    const q = (v: string) => `label_replace(sum(x{model="${v}"}), "model", "all", "", "")`;
    expect(planQueries([q('a'), q('b')]).queries).toEqual([q('a'), q('b')]);
  });

  it('splits large groups into batches', () => {
    const plan = planQueries(Array.from({ length: 5 }, (_, i) => ratio(String(i))), 2);
    expect(plan.queries).toHaveLength(3);
    expect(plan.routes.map((r) => r.query)).toEqual([0, 0, 1, 1, 2]);
    expect(plan.queries[2]).toBe(ratio('4'));
  });
});

describe('planFamilies', () => {
  const open = (v: string) => ratio(v).replaceAll('[1h]', `[${WINDOW_SLOT}]`);
  const expand = (families: Array<{ text: string; windows?: string[] }>) =>
    families.flatMap((f) => (f.windows ? f.windows.map((w) => fillWindow(f.text, w)) : [f.text]));

  it('plans a family once and gives each window exactly the plan of its own queries', () => {
    const families = [
      { text: open('a'), windows: ['5m', '1h', '28d'] },
      { text: open('b'), windows: ['5m', '1h', '28d'] },
      { text: open('c'), windows: ['5m', '1h', '28d'] },
    ];
    const plan = planFamilies(families);
    expect(plan).toEqual(planQueries(expand(families)));
    expect(plan.queries).toHaveLength(3);
    expect(plan.queries[2]).toContain('model=~"a|b|c"');
    expect(plan.queries[2]).toContain('[28d]');
    expect(plan.queries.join('')).not.toContain(WINDOW_SLOT);
  });

  it('merges window by window the families that share a window, whatever their other windows', () => {
    const families = [
      { text: open('a'), windows: ['5m', '30d'] },
      { text: open('b'), windows: ['5m', '28d'] },
      { text: open('c'), windows: ['5m', '28d'] },
      { text: ratio('d') },
    ];
    const plan = planFamilies(families);
    const queries = expand(families);
    expect(plan.routes).toHaveLength(queries.length);
    // d alone; 5m: a, b, c together; 30d: a alone, as written; 28d: b and c.
    expect(plan.queries).toEqual([ratio('d'), expect.stringContaining('model=~"a|b|c"'), fillWindow(open('a'), '30d'), expect.stringContaining('model=~"b|c"')]);
    expect(plan.queries[1]).toContain('[5m]');
    expect(plan.queries[3]).toContain('[28d]');
    expect(plan.routes).toEqual([
      { query: 1, label: 'model', value: 'a' },
      { query: 2 },
      { query: 1, label: 'model', value: 'b' },
      { query: 3, label: 'model', value: 'b' },
      { query: 1, label: 'model', value: 'c' },
      { query: 3, label: 'model', value: 'c' },
      { query: 0 },
    ]);
  });

  it('asks alone, as written, a family whose window slot sits inside a string', () => {
    const inLiteral = (v: string) => `sum(increase(req_total{model="${v}",window="${WINDOW_SLOT}"}[${WINDOW_SLOT}]))`;
    const plan = planFamilies([
      { text: inLiteral('a'), windows: ['1h'] },
      { text: inLiteral('b'), windows: ['1h'] },
    ]);
    expect(plan.queries).toEqual(['sum(increase(req_total{model="a",window="1h"}[1h]))', 'sum(increase(req_total{model="b",window="1h"}[1h]))']);
    expect(plan.routes).toEqual([{ query: 0 }, { query: 1 }]);
  });
});
