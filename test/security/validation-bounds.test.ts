// What validation used to accept, each refused now with file:line and a sentence: absurd
// durations, selectors that smuggle PromQL into generated queries, URLs with schemes no
// source speaks, label names Prometheus rejects, huge files and deep nesting.
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSpecs, loadSpecTexts } from '../../src/spec/load.ts';
import { makeTempDir } from '../helpers/test-databases.ts';

const slo = (over: { window?: string; latency?: string; labels?: string } = {}) => `apiVersion: burnwatch/v1
kind: SLO
metadata: { name: lat, service: hstu-ranker${over.labels ? `, labels: ${over.labels}` : ''} }
spec:
  objective: 99
  window: ${over.window ?? '30d'}
  indicator:
    latency: { metric: ranker_request_duration_seconds, selector: '${over.latency ?? 'route="/rank"'}', threshold: 0.15 }
`;
const source = (kind: string, field: string, url: string) => `apiVersion: burnwatch/v1
kind: DataSource
metadata: { name: src }
spec:
  ${kind}: { ${kind === 'bigquery' ? 'projectId: p, ' : ''}${field}: "${url}" }
`;

const load = (text: string) => loadSpecTexts([{ file: 'slos/x.yaml', text }], { env: {}, cwd: '/nonexistent', fileExists: () => true });
const tried = { tried: 0, refused: 0 };
const refused = (text: string, field: string, message: RegExp) => {
  tried.tried += 1;
  const { slos, sources, problems } = load(text);
  const problem = problems.find((p) => p.severity === 'error' && p.path === field);
  expect(problem, JSON.stringify(problems)).toBeDefined();
  expect(problem!.message).toMatch(message);
  expect(problem!.line).toBeGreaterThan(0);
  expect(slos.length + sources.filter((s) => s.name === 'src').length).toBe(0);
  tried.refused += 1;
};

describe('validation bounds', () => {
  it.each(['99999999999999999999d', '366d', '53w', '2y', '8761h'])('window %s is refused (at most 1 year)', (w) => {
    refused(slo({ window: w }), 'spec.window', /at most 1 year/);
  });

  it('a window of one year is fine', () => {
    expect(load(slo({ window: '365d' })).problems.filter((p) => p.severity === 'error')).toEqual([]);
  });

  it.each([
    ['route="/rank"} or up{job="x"', /operator joining another query|second selector/],
    ['route="/rank"} offset 1h or x{a="b"', /offset|operator/],
    ['route="/rank"} # ', /# comment/],
    ['route="/rank"} @ 0 or x{a="b"', /@ modifier|operator/],
    ['route="/rank"}[5m', /range|unexpected/],
    ['route=~"(["', /does not compile/],
    ['up', /unexpected|metric name|only label matchers/],
  ])('latency selector %s is refused', (selector, message) => {
    refused(slo({ latency: selector }), 'spec.indicator.latency.selector', message);
  });

  it('label matchers of every kind are fine', () => {
    expect(load(slo({ latency: 'route="/rank", code!~"5..", model=~"hstu-.*", canary!="true"' })).problems.filter((p) => p.severity === 'error')).toEqual([]);
  });

  it.each([
    ['prometheus', 'url', 'javascript:alert(1)'],
    ['prometheus', 'url', 'file:///etc/passwd'],
    ['prometheus', 'url', 'ftp://metrics:21'],
    ['bigquery', 'apiEndpoint', 'file:///tmp/x'],
    ['postgres', 'url', 'file:///var/lib/pg'],
    ['postgres', 'url', 'mysql://db/x'],
  ])('a %s %s of %s is refused', (kind, field, url) => {
    refused(source(kind, field, url), `spec.${kind}.${field}`, /must be a|connection URL/);
  });

  it.each([
    ['{ "1tier": x }', /Prometheus label name/],
    ['{ "tier-name": x }', /Prometheus label name/],
    ['{ __name__: x }', /reserved/],
  ])('labels %s are refused', (labels, message) => {
    tried.tried += 1;
    const { problems } = load(slo({ labels }));
    expect(problems.find((p) => p.path.startsWith('metadata.labels'))?.message).toMatch(message);
    tried.refused += 1;
  });
});

describe('file size and nesting', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await makeTempDir();
    await fs.mkdir(path.join(dir, 'slos'));
  });
  afterAll(() => fs.rm(dir, { recursive: true, force: true }));

  it('a file over 1 MiB is refused before it is parsed', async () => {
    await fs.writeFile(path.join(dir, 'slos', 'big.yaml'), `${slo()}  description: "${'x'.repeat(50 * 1024 * 1024)}"\n`);
    const { slos, problems } = await loadSpecs(['slos'], { cwd: dir, env: {} });
    await fs.rm(path.join(dir, 'slos', 'big.yaml'));
    expect(slos).toEqual([]);
    expect(problems).toMatchObject([{ file: path.join('slos', 'big.yaml'), line: 1, message: expect.stringMatching(/50\.0 MiB; a spec file may be at most 1 MiB/) }]);
  });

  it.each([
    ['flow lists', `a: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`, 1],
    ['flow mappings', `${slo()}  x: ${'{a: '.repeat(5000)}1${'}'.repeat(5000)}\n`, 9],
    ['block mappings', Array.from({ length: 200 }, (_, i) => `${'  '.repeat(i)}k${i}:`).join('\n'), 65],
  ])('deeply nested %s are refused with the line, not a stack overflow', (_what, text, line) => {
    tried.tried += 1;
    const { problems } = load(text);
    expect(problems).toMatchObject([{ line, message: expect.stringMatching(/nest more than 64 levels deep/) }]);
    tried.refused += 1;
  });

  it('counts', () => {
    process.stdout.write(`validation run: ${JSON.stringify(tried)}\n`);
    expect(tried.refused).toBe(tried.tried);
  });
});
