import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const LOGGER = fileURLToPath(new URL('./logger.ts', import.meta.url));
// A process of its own, so the log goes to a real stdout as `burnwatch serve`'s does.
const run = (format: string) =>
  execFileSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `const { createLogger, logDestination } = await import(${JSON.stringify(LOGGER)});
       createLogger('info', logDestination(${JSON.stringify(format)})).info({ slo: 'hstu-ranker/availability', query: 'sum(rate(ranker_requests_total{code=~"5..", route="/rank", region="europe-west4", cluster="prod-a"}[5m])) / sum(rate(ranker_requests_total[5m]))' }, 'evaluation cycle done');`,
    ],
    { encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' } },
  );

describe('log format', () => {
  it('writes one JSON object per line for machines', () => {
    const line = JSON.parse(run('json').trim());
    expect(line).toMatchObject({ level: 'info', msg: 'evaluation cycle done', slo: 'hstu-ranker/availability' });
    expect(line.query).toContain('cluster="prod-a"'); // whole, for machines
  });

  it('writes a readable line for people, with long queries shortened', () => {
    const text = run('pretty');
    expect(() => JSON.parse(text)).toThrow();
    expect(text).toMatch(/INFO.*evaluation cycle done/);
    expect(text).toContain('hstu-ranker/availability');
    expect(text).toContain('…');
    expect(text).not.toContain('sum(rate(ranker_requests_total[5m]))');
    // not a terminal here: auto is JSON
    expect(JSON.parse(run('auto').trim()).msg).toBe('evaluation cycle done');
  });
});
