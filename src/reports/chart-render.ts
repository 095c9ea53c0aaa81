// Charts without a browser: Vega-Lite compiles to a Vega spec, a headless Vega
// View renders SVG (renderer "none": no canvas, no DOM), resvg rasterises it to PNG
// with the machine's fonts.
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

export interface RenderedChart {
  svg: string;
  png: Uint8Array;
  width: number;
  height: number;
}

export async function chartSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** PNG at `scale` × the SVG's size (2 for sharp images on high-density screens). */
export function svgToPng(svg: string, scale = 2): { png: Uint8Array; width: number; height: number } {
  const image = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
    background: 'white',
  }).render();
  return { png: image.asPng(), width: image.width, height: image.height };
}

export async function renderChart(spec: TopLevelSpec, scale = 2): Promise<RenderedChart> {
  const svg = await chartSvg(spec);
  return { svg, ...svgToPng(svg, scale) };
}
