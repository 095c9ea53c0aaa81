// Vega-Lite specifications of the report's two charts. Plain data in, a spec out;
// chart-render.ts turns a spec into SVG and PNG without a browser.
import type { TopLevelSpec } from 'vega-lite';
import type { SloReport } from './report-data.ts';

export const CHART_WIDTH = 640;
const BURN_DOWN_HEIGHT = 260;
const BAR_ROW = 34;

// Fixed size: "fit" makes the whole SVG exactly width × height (axes and legend
// included), so the PNG size is known in advance.
const SIZE = { autosize: { type: 'fit', contains: 'padding' }, padding: 8 } as const;
const FONT = 'DejaVu Sans, Helvetica, Arial, sans-serif';
const CONFIG = {
  font: FONT,
  view: { stroke: null },
  axis: { labelFontSize: 11, titleFontSize: 11, gridColor: '#e5e7eb' },
  legend: { labelFontSize: 11, titleFontSize: 11, orient: 'bottom', columns: 2, labelLimit: 300 },
  title: { fontSize: 14, anchor: 'start' },
} as const;

export function burnDownHeight(): number {
  return BURN_DOWN_HEIGHT;
}

export function attainmentHeight(sloCount: number): number {
  return 90 + BAR_ROW * Math.max(1, sloCount);
}

/** Budget remaining (rolling window) across the period, one line per SLO; zero is marked. */
export function burnDownSpec(slos: readonly SloReport[], title = 'Error budget remaining'): TopLevelSpec {
  const values = slos.flatMap((s) =>
    s.burnDown.filter((p) => p.budgetRemaining !== null).map((p) => ({ slo: s.id, at: p.at, remaining: p.budgetRemaining })),
  );
  return {
    ...SIZE,
    config: CONFIG,
    title,
    width: CHART_WIDTH,
    height: BURN_DOWN_HEIGHT + 22 * Math.ceil(slos.length / 2),
    layer: [
      {
        data: { values },
        mark: { type: 'line', point: { size: 18 }, strokeWidth: 2 },
        encoding: {
          x: { field: 'at', type: 'temporal', title: null, axis: { format: '%a %d %b', tickCount: 7 } },
          y: { field: 'remaining', type: 'quantitative', title: 'budget remaining', axis: { format: '.0%' } },
          color: { field: 'slo', type: 'nominal', title: null },
        },
      },
      {
        data: { values: [{ zero: 0 }] },
        mark: { type: 'rule', color: '#b91c1c', strokeDash: [4, 3] },
        encoding: { y: { field: 'zero', type: 'quantitative' } },
      },
    ],
  } as TopLevelSpec;
}

/** The period's attainment per SLO as bars, the objective as a tick; red when below it. */
export function attainmentSpec(slos: readonly SloReport[], title = 'Attainment this week vs objective'): TopLevelSpec {
  const values = slos.map((s) => ({
    slo: s.id,
    attainment: s.week.attainment,
    objective: s.objective,
    status: s.week.met === null ? 'unknown' : s.week.met ? 'met' : 'missed',
  }));
  // Attainments sit just below 100 %; a zero-based axis would draw every bar full.
  const lows = values.flatMap((v) => [v.objective, v.attainment ?? v.objective]);
  const low = Math.max(0, Math.min(...lows) - (1 - Math.min(...lows)) * 0.5);
  const x = { type: 'quantitative' as const, scale: { domain: [low, 1], zero: false, clamp: true }, axis: { format: '.2~%' } };
  return {
    ...SIZE,
    config: CONFIG,
    title,
    width: CHART_WIDTH,
    height: attainmentHeight(slos.length),
    data: { values },
    encoding: { y: { field: 'slo', type: 'nominal', title: null, sort: null, axis: { labelLimit: 260 } } },
    layer: [
      {
        mark: { type: 'bar', height: 18 },
        encoding: {
          x: { field: 'attainment', title: 'attainment', ...x },
          color: {
            field: 'status',
            type: 'nominal',
            title: null,
            scale: { domain: ['met', 'missed', 'unknown'], range: ['#15803d', '#b91c1c', '#9ca3af'] },
            legend: { orient: 'right', columns: 1 },
          },
        },
      },
      {
        mark: { type: 'tick', color: '#111827', thickness: 2, size: 22 },
        encoding: { x: { field: 'objective', ...x } },
      },
    ],
  } as TopLevelSpec;
}
