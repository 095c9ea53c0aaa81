// The series the generated rules would have recorded for the synthetic fleet (bench/lib/fleet.ts),
// written as OpenMetrics for promtool: every SLO's error ratio per window, at the last two rule
// evaluations before FLEET_END. Recorded mode reads these; how a ruler computes them is the
// rule-evaluation bench's business.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { errorRatioRecord } from '../../src/domain/recorded-series.ts';
import { windowsOf } from '../../src/evaluator/compute-evaluation.ts';
import { formatDuration } from '../../src/domain/duration.ts';
import { FLEET_END, fleetSlos } from './fleet.ts';

export async function writeRecordedOpenMetrics(n: number, file: string): Promise<number> {
  const out = createWriteStream(file);
  const slos = fleetSlos(n);
  const windows = [...new Set(slos.flatMap((s) => windowsOf(s)))].sort((a, b) => a - b);
  let buffer = '';
  let samples = 0;
  for (const w of windows) {
    const name = errorRatioRecord(w);
    buffer += `# TYPE ${name} gauge\n`;
    const window = formatDuration(w);
    for (const [i, slo] of slos.entries()) {
      if (!windowsOf(slo).includes(w)) continue;
      // One SLO in a hundred burns (20 % errors over the short windows), as in the raw fleet.
      const ratio = i % 100 === 7 && w <= 3600 ? 0.2 : 0.0002;
      const labels = `{slo_id="${slo.id}",slo_service="${slo.service}",slo_name="${slo.name}",slo_window="${window}"}`;
      for (const t of [FLEET_END - 60, FLEET_END]) {
        buffer += `${name}${labels} ${ratio} ${t}\n`;
        samples++;
      }
      if (buffer.length > 1 << 20) {
        if (!out.write(buffer)) await once(out, 'drain');
        buffer = '';
      }
    }
  }
  buffer += '# EOF\n';
  out.end(buffer);
  await once(out, 'finish');
  return samples;
}
