// Charts without a browser: Vega-Lite compiles to a Vega spec, a headless Vega
// View renders SVG (renderer "none": no canvas, no DOM), resvg rasterises it to PNG
// with the machine's fonts.
import type { TopLevelSpec } from 'vega-lite';

// Loaded on the first chart: Vega, Vega-Lite and resvg are about 60 MB of memory that a service
// carries for nothing until it renders a report (and `burnwatch check` never does).
let libraries: Promise<{ vega: typeof import('vega'); vegaLite: typeof import('vega-lite'); Resvg: typeof import('@resvg/resvg-js').Resvg }> | undefined;
const load = () =>
  (libraries ??= Promise.all([import('vega'), import('vega-lite'), import('@resvg/resvg-js')]).then(([vega, vegaLite, resvg]) => ({ vega, vegaLite, Resvg: resvg.Resvg })));

export interface RenderedChart {
  svg: string;
  png: Uint8Array;
  width: number;
  height: number;
}

export async function chartSvg(spec: TopLevelSpec): Promise<string> {
  const { vega, vegaLite } = await load();
  const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** PNG at `scale` × the SVG's size (2 for sharp images on high-density screens). */
export async function svgToPng(svg: string, scale = 2): Promise<{ png: Uint8Array; width: number; height: number }> {
  const { Resvg } = await load();
  const image = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
    background: 'white',
  }).render();
  return { png: image.asPng(), width: image.width, height: image.height };
}

export async function renderChart(spec: TopLevelSpec, scale = 2): Promise<RenderedChart> {
  const svg = await chartSvg(spec);
  return { svg, ...(await svgToPng(svg, scale)) };
}
