// 100 malformed SLO files, each a generated mutation of one of the shipped examples, dropped
// beside the valid examples: every one gets an error that names its file, the line and the
// field; every valid SLO still loads and evaluates; nothing throws.
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMap, LineCounter, parseAllDocuments, parseDocument, type Document } from 'yaml';
import { evaluateAll } from '../../src/evaluator/evaluate-all.ts';
import { buildSources } from '../../src/sources/registry.ts';
import { loadSpecs } from '../../src/spec/load.ts';
import { makeTempDir } from '../helpers/test-databases.ts';

const REPO = path.resolve(import.meta.dirname, '../..');
const COUNT = 100;

type Path = Array<string | number>;
interface Mutation {
  name: string;
  /** Changes the document; returns the field path the error must name and where its line is. */
  apply(doc: Document): { path: string; lineOf: Path; key?: boolean } | undefined;
}

const has = (doc: Document, p: Path) => doc.hasIn(p);
/** A value that is wrong for its field: the error must name that field, on its line. */
const setTo = (name: string, p: string[], value: unknown): Mutation => ({
  name,
  apply: (d) => {
    d.setIn(p, value);
    return { path: p.join('.'), lineOf: p };
  },
});
const MUTATIONS: Mutation[] = [
  setTo('objective 100', ['spec', 'objective'], 100),
  setTo('objective 0', ['spec', 'objective'], 0),
  setTo('objective as text', ['spec', 'objective'], 'very high'),
  setTo('window not a duration', ['spec', 'window'], '28 days'),
  {
    name: 'misspelt field',
    apply: (d) => {
      d.setIn(['spec', 'objectve'], d.getIn(['spec', 'objective']));
      d.deleteIn(['spec', 'objective']);
      return { path: 'spec.objectve', lineOf: ['spec', 'objectve'], key: true };
    },
  },
  {
    name: 'indicator removed',
    apply: (d) => {
      d.deleteIn(['spec', 'indicator']);
      return { path: 'spec.indicator', lineOf: ['spec'], key: true };
    },
  },
  setTo('unknown DataSource', ['spec', 'source'], 'promethues'),
  setTo('timeslice not a duration', ['spec', 'timeslice'], 'often'),
  {
    name: 'tier short window longer than long',
    apply: (d) => {
      d.setIn(['spec', 'alerting', 'tiers'], d.createNode([{ severity: 'page', budgetPercent: 2, long: '5m', short: '1h' }]));
      return { path: 'spec.alerting.tiers[0].short', lineOf: ['spec', 'alerting', 'tiers', 0, 'short'] };
    },
  },
  {
    name: 'tier severity unknown',
    apply: (d) => {
      d.setIn(['spec', 'alerting', 'tiers'], d.createNode([{ severity: 'pager', budgetPercent: 2, long: '1h', short: '5m' }]));
      return { path: 'spec.alerting.tiers[0].severity', lineOf: ['spec', 'alerting', 'tiers', 0, 'severity'] };
    },
  },
  {
    name: 'broken PromQL',
    apply: (d) => {
      const ratio = ['spec', 'indicator', 'ratio', 'total'];
      if (has(d, ratio) && typeof d.getIn(ratio) === 'string') {
        d.setIn(ratio, `sum(increase(${String(d.getIn(ratio))}`);
        return { path: 'spec.indicator.ratio.total', lineOf: ratio };
      }
      const latency = ['spec', 'indicator', 'latency', 'threshold'];
      if (has(d, latency)) {
        d.setIn(latency, 'fast');
        return { path: 'spec.indicator.latency.threshold', lineOf: latency };
      }
      return undefined;
    },
  },
  {
    name: 'metadata.name missing',
    apply: (d) => {
      d.deleteIn(['metadata', 'name']);
      return { path: 'metadata.name', lineOf: ['metadata'], key: true };
    },
  },
];

/** 1-based line of the node (or of its key) at `p`. */
function lineOf(text: string, p: Path, key: boolean): number {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, keepSourceTokens: true });
  const parent = p.length > 1 ? doc.getIn(p.slice(0, -1), true) : doc.contents;
  let offset: number | undefined;
  if (isMap(parent)) {
    const pair = parent.items.find((i) => (i.key as { value?: unknown })?.value === p.at(-1));
    const node = (key ? pair?.key : pair?.value) as { range?: [number, number, number] } | undefined;
    offset = node?.range?.[0];
  } else {
    offset = (doc.getIn(p, true) as { range?: [number, number, number] } | undefined)?.range?.[0];
  }
  if (offset === undefined) throw new Error(`no node at ${p.join('.')}`);
  return counter.linePos(offset).line;
}

// A seeded generator, so a failure names a mutation that can be replayed.
function rng(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

describe('100 malformed SLO files beside the valid examples', () => {
  let dir: string;
  const expected: Array<{ file: string; mutation: string; path: string; line: number }> = [];
  let validIds: string[] = [];

  beforeAll(async () => {
    dir = await makeTempDir('burnwatch-malformed-');
    await fs.cp(path.join(REPO, 'slos'), path.join(dir, 'slos'), { recursive: true });
    await fs.cp(path.join(REPO, 'playbooks'), path.join(dir, 'playbooks'), { recursive: true });
    validIds = (await loadSpecs([path.join(dir, 'slos')], { cwd: dir, env: {} })).slos.map((s) => s.id);

    // Native example SLO documents to mutate.
    const originals: string[] = [];
    for (const file of await fs.readdir(path.join(REPO, 'slos'))) {
      if (!file.endsWith('.yaml')) continue;
      for (const doc of parseAllDocuments(await fs.readFile(path.join(REPO, 'slos', file), 'utf8'))) {
        if ((doc as Document).get('kind') === 'SLO') originals.push(String(doc));
      }
    }
    const random = rng(20261122);
    await fs.mkdir(path.join(dir, 'slos', 'mutated'));
    for (let i = 0; expected.length < COUNT; i++) {
      const doc = parseDocument(originals[Math.floor(random() * originals.length)]!);
      doc.setIn(['metadata', 'name'], `mutant-${i}`); // unique ids: the error must be the mutation's
      const mutation = MUTATIONS[Math.floor(random() * MUTATIONS.length)]!;
      const where = mutation.apply(doc);
      if (!where) continue;
      const text = String(doc);
      const file = path.join('slos', 'mutated', `mutant-${String(i).padStart(3, '0')}.yaml`);
      await fs.writeFile(path.join(dir, file), text);
      expected.push({ file, mutation: mutation.name, path: where.path, line: lineOf(text, where.lineOf, where.key ?? false) });
    }
  });

  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('reports each one at its file, line and field, and loads every valid SLO', async () => {
    const result = await loadSpecs([path.join(dir, 'slos')], { cwd: dir, env: {} });
    const errors = result.problems.filter((p) => p.severity === 'error');
    for (const e of expected) {
      const mine = errors.filter((p) => p.file === e.file);
      expect(mine.length, `${e.file} (${e.mutation}) has no error`).toBeGreaterThan(0);
      expect(
        mine.some((p) => p.line === e.line && p.path.startsWith(e.path)),
        `${e.file} (${e.mutation}): expected ${e.path} at line ${e.line}, got ${mine.map((p) => `${p.line} ${p.path}: ${p.message}`).join('; ')}`,
      ).toBe(true);
    }
    expect(new Set(errors.map((p) => p.file)).size).toBe(COUNT);
    expect(result.slos.map((s) => s.id).sort()).toEqual([...validIds].sort());
    expect(new Set(expected.map((e) => e.mutation)).size).toBeGreaterThanOrEqual(10);
  });

  it('keeps evaluating the valid SLOs: each gets a result, none crashes the cycle', async () => {
    const result = await loadSpecs([path.join(dir, 'slos')], { cwd: dir, env: { PROMETHEUS_URL: 'http://127.0.0.1:9' } });
    const supported = result.sources.filter((s) => s.type === 'prometheus');
    const sources = buildSources(supported);
    const out = await evaluateAll(result.slos, sources, new Date('2026-11-22T00:00:00Z'));
    expect(out.map((e) => e.id)).toEqual(result.slos.map((s) => s.id));
    // Nothing answers here: unknown (or error for a source this run did not build), never ok.
    expect(out.every((e) => e.status === 'unknown' || e.status === 'error')).toBe(true);
  });
});
