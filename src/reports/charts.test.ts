import { describe, expect, it } from 'vitest';
import { sampleInputs } from './__fixtures__/sample.ts';
import { buildReport } from './build-report.ts';
import { CHART_WIDTH, attainmentHeight, burnDownHeight } from './chart-specs.ts';
import { renderTeamCharts } from './team-charts.ts';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function pngHeader(png: Uint8Array): { width: number; height: number; chunk: string } {
  expect([...png.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return { chunk: new TextDecoder().decode(png.subarray(12, 16)), width: view.getUint32(16), height: view.getUint32(20) };
}

describe('charts', () => {
  it('renders the burn-down and attainment charts to SVG and to PNG of the expected size', async () => {
    const ranking = buildReport(sampleInputs()).teams.find((t) => t.team === 'ranking')!;
    const charts = await renderTeamCharts(ranking, 2);

    const burnDown = pngHeader(charts.burnDown.png);
    expect(burnDown).toEqual({ chunk: 'IHDR', width: CHART_WIDTH * 2, height: (burnDownHeight() + 22 * 2) * 2 });
    const attainment = pngHeader(charts.attainment.png);
    expect(attainment).toEqual({ chunk: 'IHDR', width: CHART_WIDTH * 2, height: attainmentHeight(3) * 2 });

    // one line per SLO with data, labelled by SLO id, and the objective ticks
    for (const id of ['ranker/availability', 'ranker/latency', 'embeddings/freshness']) {
      expect(charts.burnDown.svg).toContain(id);
      expect(charts.attainment.svg).toContain(id);
    }
    expect(charts.burnDown.svg).toMatch(/^<svg[^>]+width="640" height="304"/);
  });
});
