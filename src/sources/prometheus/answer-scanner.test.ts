// The streaming answer reader against answers shaped like Prometheus's, whole and cut into
// pieces at every position (a chunk boundary can fall anywhere: inside a string, a number, a key).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SourceError } from '../source-error.ts';
import type { SliReading } from '../sli-source.ts';
import { AnswerScanner, ScanError, type ScanSummary, scanAnswer } from './answer-scanner.ts';
import { PrometheusClient } from './prometheus-client.ts';
import { RecordedPrometheusSource } from './recorded-source.ts';
import { makeSlo } from '../../../test/fixtures/slo.ts';

const LABELS = ['slo_id', 'sloth_id', 'burnwatch_part'];

interface Seen {
  samples: Array<{ labels: Array<string | undefined>; value: number; time: number }>;
  points: Array<{ labels: Array<string | undefined>; time: number; value: number }>;
  summary: ScanSummary;
}

/** Scans `text` cut into pieces of `size` characters (0: whole). */
function scan(text: string, size = 0): Seen {
  const seen: Omit<Seen, 'summary'> = { samples: [], points: [] };
  const scanner = new AnswerScanner({
    labels: LABELS,
    sample: (labels, value, time) => seen.samples.push({ labels: [...labels], value, time }),
    point: (labels, time, value) => seen.points.push({ labels: [...labels], time, value }),
  });
  if (size === 0) scanner.write(text);
  else for (let i = 0; i < text.length; i += size) scanner.write(text.slice(i, i + size));
  return { ...seen, summary: scanner.end() };
}

/** The same result whatever the chunking. */
function scanEveryWay(text: string): Seen {
  const whole = scan(text);
  for (const size of [1, 2, 3, 7, 64]) expect(scan(text, size)).toEqual(whole);
  return whole;
}

const vector = (result: unknown[], extra: Record<string, unknown> = {}) => JSON.stringify({ status: 'success', data: { resultType: 'vector', result }, ...extra });

describe('AnswerScanner', () => {
  it('hands over the asked labels and the value of each series, NaN and infinities included', () => {
    const text = vector([
      { metric: { __name__: 'x', slo_id: 'svc/a', slo_window: '5m', burnwatch_part: 'ratio' }, value: [1795132830.5, '0.0002'] },
      { metric: { slo_id: 'svc/b', burnwatch_part: 'ratio' }, value: [1795132830.5, 'NaN'] },
      { metric: { slo_id: 'svc/c', burnwatch_part: 'age' }, value: [1795132830.5, '+Inf'] },
      { metric: { slo_id: 'svc/d' }, value: [1795132830.5, '-Inf'] },
      { metric: { slo_id: 'svc/e' }, value: [1795132830.5, '1e-7'] },
    ]);
    const { samples, summary } = scanEveryWay(text);
    expect(summary).toMatchObject({ status: 'success', resultType: 'vector', series: 5, warnings: [] });
    expect(samples.map((s) => s.labels)).toEqual([
      ['svc/a', undefined, 'ratio'],
      ['svc/b', undefined, 'ratio'],
      ['svc/c', undefined, 'age'],
      ['svc/d', undefined, undefined],
      ['svc/e', undefined, undefined],
    ]);
    expect(samples[0]).toMatchObject({ value: 0.0002, time: 1795132830.5 });
    expect(samples[1]!.value).toBeNaN();
    expect(samples.slice(2).map((s) => s.value)).toEqual([Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e-7]);
  });

  it('reads an empty result as no series', () => {
    const { samples, summary } = scanEveryWay(vector([]));
    expect(samples).toEqual([]);
    expect(summary).toMatchObject({ status: 'success', resultType: 'vector', series: 0 });
  });

  it('reads an error answer: status, errorType and error, no series', () => {
    const text = JSON.stringify({ status: 'error', errorType: 'bad_data', error: 'invalid parameter "query": 1:5: parse error: unexpected "}"' });
    const { samples, summary } = scanEveryWay(text);
    expect(samples).toEqual([]);
    expect(summary).toMatchObject({ status: 'error', errorType: 'bad_data', error: 'invalid parameter "query": 1:5: parse error: unexpected "}"' });
  });

  it('collects warnings and infos, wherever they stand', () => {
    const text = JSON.stringify({
      warnings: ['PromQL warning: encountered a mix of histograms and floats', 'second'],
      status: 'success',
      data: { resultType: 'vector', result: [{ metric: { slo_id: 'a' }, value: [1, '1'] }] },
      infos: ['PromQL info: metric might not be a counter'],
    });
    const { samples, summary } = scanEveryWay(text);
    expect(summary.warnings).toEqual(['PromQL warning: encountered a mix of histograms and floats', 'second']);
    expect(summary.infos).toEqual(['PromQL info: metric might not be a counter']);
    expect(samples).toHaveLength(1);
  });

  it('hands over a series without the id label with that label undefined, and reads the Sloth label set', () => {
    const text = vector([
      { metric: { service: 'checkout' }, value: [1, '0.5'] },
      { metric: { sloth_id: 'checkout-availability', burnwatch_part: 'ratio' }, value: [1, '0.25'] },
    ]);
    const { samples } = scanEveryWay(text);
    expect(samples.map((s) => [s.labels, s.value])).toEqual([
      [[undefined, undefined, undefined], 0.5],
      [[undefined, 'checkout-availability', 'ratio'], 0.25],
    ]);
  });

  it('unescapes label values and keys, and skips fields it does not know (stats, native histograms)', () => {
    const text = vector(
      [
        { metric: { slo_id: 'a "quoted" \\ back\nslash é ✓', ['slo\u005fid_not']: 'x' }, value: [1, '2'] },
        { metric: { slo_id: 'h' }, histogram: [1, { count: '3', sum: '1', buckets: [[0, '0', '1', '3']] }] },
        { metric: { ['sl\\o_id']: 'not an id' }, value: [1, '3'] },
      ],
      { stats: { timings: { evalTotalTime: 0.1 }, samples: { totalQueryableSamples: 4 } } },
    );
    // An escaped key that unescapes to a wanted label counts as that label.
    const escapedKey = text.replace('"slo_id":"h"', '"slo\\u005fid":"h"');
    const { samples, summary } = scanEveryWay(escapedKey);
    // The native histogram has no `value`: it is counted but not handed over.
    expect(summary.series).toBe(3);
    expect(samples.map((s) => [s.labels[0], s.value])).toEqual([
      ['a "quoted" \\ back\nslash é ✓', 2],
      [undefined, 3],
    ]);
  });

  it('reads a scalar answer as one unlabelled sample', () => {
    const { samples, summary } = scanEveryWay(JSON.stringify({ status: 'success', data: { resultType: 'scalar', result: [1795132830, '42'] } }));
    expect(summary.resultType).toBe('scalar');
    expect(samples).toEqual([{ labels: [undefined, undefined, undefined], value: 42, time: 1795132830 }]);
  });

  it('hands over every point of a range answer with its series labels', () => {
    const text = JSON.stringify({
      status: 'success',
      data: {
        resultType: 'matrix',
        result: [
          { metric: { slo_id: 'a' }, values: [[60, '1'], [120, 'NaN'], [180, '3']] },
          { metric: { slo_id: 'b' }, values: [[60, '+Inf']] },
        ],
      },
    });
    const { points, samples } = scanEveryWay(text);
    expect(samples).toEqual([]);
    expect(points.map((p) => [p.labels[0], p.time, p.value])).toEqual([
      ['a', 60, 1],
      ['a', 120, Number.NaN],
      ['a', 180, 3],
      ['b', 60, Number.POSITIVE_INFINITY],
    ]);
  });

  it('reads points exactly as JSON.parse and Number would, however they are written', () => {
    // Values of every shape Prometheus writes (and a few it does not): the shortcut for plain
    // decimals must give the very same double as Number(text); the rest take the general path.
    let seed = 3;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const texts = ['0', '-0', '180000', '12.', '.5', '007', '-12.5', '0.1', '0.000000000000001', '123456789012345', '1234567890123456', '9007199254740993', '1e-7', '-1.5E+3', '+Inf', '-Inf', 'NaN', '', '-', 'x1', '1\\u0030', 'a\\"]b'];
    for (let k = 0; k < 300; k++) {
      const v = (rand() - 0.3) * 10 ** Math.floor(rand() * 30 - 12);
      texts.push(String(v), v.toFixed(Math.floor(rand() * 8)), String(Math.round(v)));
    }
    const times = ['60', '1794535200', '1794535200.5', '1794535200.123', '17945352001234567', '-60', '6e1'];
    const values = texts.map((t, i) => `[${times[i % times.length]},"${t}"]`);
    const text = `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"slo_id":"a"},"values":[${values.join(',')}]},{"metric":{},"values":[ [60 , "1" ] ,[120,"2"]]}]}}`;
    const { points } = scanEveryWay(text);
    const expected = (JSON.parse(text) as { data: { result: Array<{ values: Array<[number, string]> }> } }).data.result.flatMap((r) => r.values);
    expect(points).toHaveLength(expected.length);
    for (const [i, [time, value]] of expected.entries()) {
      const want = value === '+Inf' ? Number.POSITIVE_INFINITY : value === '-Inf' ? Number.NEGATIVE_INFINITY : Number(value);
      expect({ i, time: points[i]!.time, same: Object.is(points[i]!.value, want) }).toEqual({ i, time, same: true });
    }
    expect(points.at(-1)!.labels[0]).toBeUndefined();
    expect(points[0]!.labels[0]).toBe('a');
  });

  it('refuses what is not a whole JSON answer', () => {
    const whole = vector([{ metric: { slo_id: 'a' }, value: [1, '1'] }]);
    expect(() => scan(whole.slice(0, -3))).toThrow(ScanError);
    expect(() => scan(whole.slice(0, 40), 5)).toThrow(ScanError);
    expect(() => scan(`${whole}{}`)).toThrow(ScanError);
    expect(() => scan('<html>502 Bad Gateway</html>')).toThrow(ScanError);
    expect(() => scan('{"status":"success",]')).toThrow(ScanError);
    expect(() => scan('{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"1"]}]}, tru}')).toThrow(ScanError);
    expect(() => scan('')).toThrow(ScanError);
  });

  it('decodes a byte stream split inside a multi-byte character', async () => {
    const bytes = new TextEncoder().encode(vector([{ metric: { slo_id: 'é✓' }, value: [1, '1'] }]));
    const at = bytes.indexOf(0xe2); // the first byte of ✓
    async function* pieces() {
      yield bytes.slice(0, at + 1);
      yield bytes.slice(at + 1);
    }
    const seen: string[] = [];
    await scanAnswer(pieces(), { labels: ['slo_id'], sample: (labels) => seen.push(labels[0]!) });
    expect(seen).toEqual(['é✓']);
  });
});

describe('PrometheusClient.scan and the recorded source over HTTP', () => {
  let server: http.Server | undefined;
  afterEach(async () => {
    const s = server;
    server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  });
  const queries: string[] = [];
  async function serve(status: number, answer: string | ((query: string) => string)): Promise<string> {
    queries.length = 0;
    server = http.createServer((req, res) => {
      let form = '';
      req.on('data', (c) => {
        form += c;
      });
      req.on('end', () => {
        const query = new URLSearchParams(form).get('query') ?? '';
        queries.push(query);
        const body = typeof answer === 'string' ? answer : answer(query);
        // Written in small pieces, as a large answer arrives.
        res.writeHead(status, { 'content-type': 'application/json' });
        for (let i = 0; i < body.length; i += 13) res.write(body.slice(i, i + 13));
        res.end();
      });
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
  }
  const client = (url: string) => new PrometheusClient({ name: 'prom', url, timeoutSeconds: 5, retries: 0 });

  it('an error answer is a bad query with Prometheus own words', async () => {
    const url = await serve(400, JSON.stringify({ status: 'error', errorType: 'bad_data', error: 'parse error' }));
    const error = await client(url).scan('x{', undefined, { labels: [] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceError);
    expect(error).toMatchObject({ code: 'bad_query', message: expect.stringContaining('bad_data: parse error') });
  });

  it('a 200 answer that is not a vector, or not JSON, is a bad response', async () => {
    const matrix = await serve(200, JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: [] } }));
    await expect(client(matrix).scan('x', undefined, { labels: [] })).rejects.toMatchObject({ code: 'bad_response', message: expect.stringContaining('matrix') });
    await new Promise((resolve) => server!.close(resolve));
    const html = await serve(200, '<html>proxy</html>');
    await expect(client(html).scan('x', undefined, { labels: [] })).rejects.toMatchObject({ code: 'bad_response' });
  });

  it('returns the warnings', async () => {
    const url = await serve(200, vector([], { warnings: ['w1'] }));
    await expect(client(url).scan('x', undefined, { labels: [] })).resolves.toEqual({ warnings: ['w1'] });
  });

  const ratioSlo = (id: string) => makeSlo({ id, indicator: { kind: 'ratio', bad: { source: 'prom', language: 'promql', text: 'x' }, total: { source: 'prom', language: 'promql', text: 'y' } } });

  it('the recorded source reads either label set; an SLO without its series is unknown, never ok; its age is asked of it alone', async () => {
    const [a, b, c, d] = ['checkout/availability', 'search/latency', 'cart/errors', 'pay/errors'].map(ratioSlo);
    const windows = [300];
    const url = await serve(200, (query) =>
      query.includes('timestamp(')
        ? vector([{ metric: { slo_id: 'pay/errors', burnwatch_part: 'age' }, value: [1, '420'] }])
        : vector([
            { metric: { slo_id: 'checkout/availability', burnwatch_part: 'ratio' }, value: [1, '0.01'] },
            { metric: { sloth_id: 'search-latency', burnwatch_part: 'ratio' }, value: [1, 'NaN'] },
            { metric: { burnwatch_part: 'ratio' }, value: [1, '0.5'] },
          ]),
    );
    const source = new RecordedPrometheusSource({ name: 'prom', url, timeoutSeconds: 5, retries: 0 });
    const at = new Date('2026-11-20T00:00:00Z');
    const [ra, rb, rc, rd] = await source.readMany([a!, b!, c!, d!].map((slo) => ({ slo, windows, at, parts: ['good', 'total'] as const })));
    expect((ra as SliReading).get(300)).toEqual({ bad: 0.01, total: 1, good: 0.99 });
    expect((ra as SliReading).has(3600)).toBe(false);
    // NaN is 0/0: no events in the window, no budget spent.
    expect((rb as SliReading).get(300)).toEqual({ bad: 0, total: 0, good: 0 });
    expect(rc).toBeInstanceOf(SourceError);
    expect((rc as SourceError).message).toContain('no recorded series slo:sli_error:ratio_rate5m for cart/errors');
    expect((rd as SourceError).message).toMatch(/slo:sli_error:ratio_rate5m is stale: last written 7m ago/);
    // One query for every SLO, then the age of the two without a fresh ratio, named.
    expect(queries).toHaveLength(2);
    expect(queries[0]).toContain('last_over_time(slo:sli_error:ratio_rate5m[120s])');
    expect(queries[1]).toContain('slo_id=~"cart/errors|pay/errors"');
    expect(queries[1]).toContain('sloth_id=~"cart-errors|pay-errors"');
  });
});
