// `burnwatch demo` end to end on embedded SQLite: telemetry → SQL source → evaluation cycles →
// outbox → timeline, then incidents, post-mortems and the weekly report. Hourly cycles keep it
// short; the command defaults to 15 minutes.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoResult, runDemo } from '../../src/demo/run-demo.ts';

describe('burnwatch demo', () => {
  let dir: string;
  let result: DemoResult;
  const lines: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'burnwatch-demo-'));
    result = await runDemo({ dir, root: process.cwd(), stepSeconds: 3600, now: new Date('2026-11-20T12:00:00Z'), print: (l) => lines.push(l) });
  }, 900_000);
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('tells the week as it unfolds: both incidents page, then resolve', () => {
    const text = lines.join('\n');
    expect(text).toMatch(/week 2026-W46/);
    const at = (re: RegExp) => lines.findIndex((l) => re.test(l));
    // The bad deploy on Tuesday pages on ranking latency after the story says it happened.
    expect(at(/Tue 14:05 {2}── hstu-ranker v2/)).toBeGreaterThan(0);
    expect(at(/Tue 1[45]:00 {2}PAGE {3}hstu-ranker\/ranking-latency/)).toBeGreaterThan(at(/Tue 14:05 {2}──/));
    // The stall on Thursday night pages on training throughput, then on model freshness.
    expect(at(/Thu 2[23]:00 {2}PAGE {3}training\/hstu-throughput/)).toBeGreaterThan(0);
    expect(at(/Fri 0[2-4]:00 {2}PAGE {3}hstu-ranker\/model-freshness/)).toBeGreaterThan(at(/PAGE {3}training\/hstu-throughput/));
    // Nothing pages in the quiet days.
    expect(lines.filter((l) => /^ {2}(Mon|Wed|Sat|Sun) \d\d:\d\d {2}PAGE/.test(l))).toEqual([]);
    // Every page resolves within the week.
    for (const slo of ['hstu-ranker/ranking-latency', 'training/hstu-throughput', 'hstu-ranker/model-freshness']) {
      expect(text).toMatch(new RegExp(`ok {5}${slo.replace('/', '\\/')} .* page resolved`));
    }
    expect(result.notIncluded).toEqual([]);
  });

  it('writes a post-mortem per incident from the playbook template', async () => {
    const postmortems = result.files.filter((f) => f.includes(`${path.sep}postmortems${path.sep}`));
    expect(postmortems).toHaveLength(2);
    const deploy = await readFile(postmortems[0]!, 'utf8');
    expect(deploy).toMatch(/^# Post-mortem: Bad model deploy regresses ranking latency/);
    expect(deploy).toMatch(/hstu-ranker\/ranking-latency/);
    expect(deploy).toMatch(/## Timeline/);
    const stall = await readFile(postmortems[1]!, 'utf8');
    expect(stall).toMatch(/^# Post-mortem: Training pipeline stalls/);
    expect(stall).toMatch(/Also affected: `hstu-ranker\/model-freshness`/);
  });

  it('writes the weekly report with the week\'s incidents', async () => {
    const md = result.files.find((f) => f.endsWith('.md') && f.includes(`${path.sep}report${path.sep}`))!;
    const html = result.files.find((f) => f.endsWith('.html'))!;
    const report = await readFile(md, 'utf8');
    expect(report).toMatch(/2026-W46/);
    expect(report).toMatch(/hstu-ranker\/ranking-latency|ranking-latency/);
    expect(report).toMatch(/Training pipeline stalls|incident/i);
    expect(await readFile(html, 'utf8')).toMatch(/<html/i);
  });
});
