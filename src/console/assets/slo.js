// The SLO page's charts, drawn with uPlot (served from node_modules) from the JSON the
// server put in the page: budget left, burn rate per tier (long and short window against
// the factor), and the SLI against the objective. Alert episodes are shaded bands and
// incidents, remediations and changes vertical lines on every chart's time axis.
(() => {
  
  const el = document.getElementById('chart-data');
  if (!el || typeof uPlot === 'undefined') return;
  const d = JSON.parse(el.textContent);
  const BAND = { page: 'rgba(213,94,0,0.16)', ticket: 'rgba(230,159,0,0.18)' };
  const MARK = { incident: '#CC79A7', remediation: '#0072B2', change: '#56B4E9' };
  const pct = (digits) => (_u, v) => (v == null ? '—' : `${(v * 100).toFixed(digits)} %`);
  const times = (_u, v) => (v == null ? '—' : `${v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)}×`);

  function marks(u) {
    const { ctx, bbox } = u;
    ctx.save();
    for (const e of d.episodes) {
      const x0 = u.valToPos(e.from, 'x', true);
      const x1 = u.valToPos(e.to, 'x', true);
      ctx.fillStyle = BAND[e.severity] || BAND.ticket;
      ctx.fillRect(Math.max(bbox.left, x0), bbox.top, Math.max(1, Math.min(bbox.left + bbox.width, x1) - Math.max(bbox.left, x0)), bbox.height);
    }
    ctx.lineWidth = 2 * devicePixelRatio;
    for (const m of d.marks) {
      const x = u.valToPos(m.at, 'x', true);
      if (x < bbox.left || x > bbox.left + bbox.width) continue;
      ctx.strokeStyle = MARK[m.kind];
      ctx.setLineDash(m.kind === 'change' ? [4 * devicePixelRatio, 3 * devicePixelRatio] : []);
      ctx.beginPath();
      ctx.moveTo(x, bbox.top);
      ctx.lineTo(x, bbox.top + bbox.height);
      ctx.stroke();
    }
    ctx.restore();
  }

  const charts = [];
  function chart(id, series, data, yFormat, extra = {}) {
    const target = document.getElementById(id);
    if (!target) return;
    const opts = {
      width: Math.max(280, target.clientWidth),
      height: 200,
      scales: { x: { time: true, range: [d.from, d.to] }, ...(extra.scales || {}) },
      series: [{ value: (_u, v) => (v == null ? '—' : new Date(v * 1000).toISOString().slice(0, 16).replace('T', ' ')) }, ...series],
      axes: [
        { stroke: '#57606a', grid: { stroke: '#eef1f4' }, ticks: { stroke: '#d8dee4' } },
        { stroke: '#57606a', grid: { stroke: '#eef1f4' }, ticks: { stroke: '#d8dee4' }, size: 78, values: (u, vals) => vals.map((v) => yFormat(u, v)) },
      ],
      cursor: { drag: { x: false, y: false } },
      // The legend names the lines; the values show in the tooltip row only while hovering.
      legend: { live: false },
      hooks: { draw: [marks] },
    };
    const u = new uPlot(opts, [d.t, ...data], target);
    charts.push({ u, target });
  }

  const flat = (v) => d.t.map(() => v);
  chart('chart-budget', [{ label: 'budget left', stroke: '#009E73', width: 2, fill: 'rgba(0,158,115,0.08)', value: pct(1) }], [d.budget], pct(0));
  d.tiers.forEach((tier, i) => {
    const parts = tier.label.split(' ')[1].split('/');
    chart(
      `chart-tier-${i}`,
      [
        { label: `${parts[0]} window`, stroke: '#0072B2', width: 2, value: times },
        { label: `${parts[1]} window`, stroke: '#56B4E9', width: 1.5, value: times },
        { label: `factor ${times(null, tier.factor)}`, stroke: '#D55E00', width: 1.5, dash: [6, 4], points: { show: false }, value: times },
      ],
      [tier.long, tier.short, flat(tier.factor)],
      times,
      { scales: { y: { range: (_u, _min, max) => [0, Math.max(tier.factor * 1.5, max * 1.1)] } } },
    );
  });
  chart(
    'chart-sli',
    [
      { label: 'SLI', stroke: '#0072B2', width: 2, value: pct(3) },
      { label: 'objective', stroke: '#D55E00', width: 1.5, dash: [6, 4], points: { show: false }, value: pct(3) },
    ],
    [d.sli, flat(d.objective)],
    pct(2),
  );

  let pending = 0;
  addEventListener('resize', () => {
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(() => {
      for (const { u, target } of charts) u.setSize({ width: Math.max(280, target.clientWidth), height: 200 });
    });
  });
})();
