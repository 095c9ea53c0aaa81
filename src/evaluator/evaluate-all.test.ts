import { describe, expect, it } from 'vitest';
import { makeSlo } from '../../test/fixtures/slo.ts';
import type { SliPart, SliParts, SliReading, SliRequest, SliSource } from '../sources/sli-source.ts';
import { SourceError } from '../sources/source-error.ts';
import { evaluateAll } from './evaluate-all.ts';

const AT = new Date('2026-11-20T10:00:00Z');
const q = (source: string, text: string) => ({ source, language: 'promql' as const, text });

/** An in-memory SliSource: a table of counts per window, recording what it was asked. */
class TableSource implements SliSource {
  readonly type = 'prometheus' as const;
  readonly requests: SliRequest[] = [];
  readonly name: string;
  readonly table: (window: number) => Partial<Record<SliPart, number>> | undefined | Error;
  constructor(name: string, table: (window: number) => Partial<Record<SliPart, number>> | undefined | Error) {
    this.name = name;
    this.table = table;
  }
  async read(request: SliRequest): Promise<SliReading> {
    this.requests.push(request);
    const out = new Map<number, SliParts>();
    for (const w of request.windows) {
      const row = this.table(w);
      if (row instanceof Error) throw row;
      if (!row) continue;
      out.set(w, Object.fromEntries(request.parts.map((p) => [p, row[p]])));
    }
    return out;
  }
  async ping() {}
  async close() {}
}

const ratio = makeSlo({ indicator: { kind: 'ratio', bad: q('prom', 'bad'), total: q('prom', 'total') } });

describe('evaluateAll', () => {
  it('computes SLI, budget, burn rates and tier signals from window counts', async () => {
    // 2 % errors in the last 6h, none before: 1000 events per 5m.
    const source = new TableSource('prom', (w) => {
      const events = (w / 300) * 1000;
      const bad = Math.min(w, 21_600) / 300 * 20;
      return { bad, total: events };
    });
    const [e] = await evaluateAll([ratio], new Map([['prom', source]]), AT);
    expect(e!.status).toBe('page');
    expect(e!.burnRates['5m']).toBeCloseTo(20, 9);
    expect(e!.burnRates['1h']).toBeCloseTo(20, 9);
    expect(e!.burnRates['1d']).toBeCloseTo(5, 9);
    expect(e!.burnRates['3d']).toBeCloseTo(20 / 12, 9);
    const bad30d = 72 * 20;
    const total30d = 8640 * 1000;
    expect(e!.sli).toBeCloseTo(1 - bad30d / total30d, 12);
    expect(e!.errorBudgetRemaining).toBeCloseTo(1 - bad30d / total30d / 0.001, 9);
    expect(e!.tiers.map((t) => [t.severity, t.long, t.firing])).toEqual([
      ['page', '1h', true],
      ['page', '6h', true],
      ['ticket', '1d', true],
      ['ticket', '3d', true],
    ]);
    // One query round per SLO: every window in one request, both parts together.
    expect(source.requests).toHaveLength(1);
    expect(source.requests[0]!.windows).toEqual([300, 1800, 3600, 7200, 21_600, 86_400, 259_200, 2_592_000]);
    expect(e!.timeToExhaustionSeconds).toBeCloseTo((e!.errorBudgetRemaining! * 2_592_000) / 20, 3);
  });

  it('does not fire a tier below minEvents and says why', async () => {
    const slo = { ...ratio, alerting: { ...ratio.alerting, minEvents: 100 } };
    const source = new TableSource('prom', (w) => ({ bad: w <= 3600 ? 5 : 5, total: w <= 3600 ? 50 : 10_000 }));
    const [e] = await evaluateAll([slo], new Map([['prom', source]]), AT);
    const page = e!.tiers[0]!;
    expect(page.longBurnRate).toBeCloseTo(100, 9);
    expect(page.firing).toBe(false);
    expect(page.suppressed).toMatch(/only 50 events in 1h \(minEvents 100\)/);
  });

  it('asks each source of a mixed ratio only for its own part', async () => {
    const slo = makeSlo({ indicator: { kind: 'ratio', good: q('bq', 'good'), total: q('prom', 'total') } });
    const prom = new TableSource('prom', () => ({ total: 1000 }));
    const bq = new TableSource('bq', () => ({ good: 999.5 }));
    const [e] = await evaluateAll([slo], new Map<string, SliSource>([['prom', prom], ['bq', bq]]), AT);
    expect(prom.requests[0]!.parts).toEqual(['total']);
    expect(bq.requests[0]!.parts).toEqual(['good']);
    expect(e!.sli).toBeCloseTo(0.9995, 12);
    expect(e!.burnRates['5m']).toBeCloseTo(0.5, 9);
    expect(e!.status).toBe('ok');
  });

  it('makes an SLO unknown (not fine) when its source fails, and keeps evaluating the others', async () => {
    const failing = new TableSource('down', () => new SourceError('unreachable', 'connect ECONNREFUSED', { source: 'down', query: 'x', retryable: true }));
    const fine = new TableSource('prom', () => ({ bad: 0, total: 10 }));
    const broken = makeSlo({ id: 'a/broken', indicator: { kind: 'ratio', bad: q('down', 'x'), total: q('down', 'y') } });
    const missing = makeSlo({ id: 'a/missing', indicator: { kind: 'ratio', bad: q('nowhere', 'x'), total: q('nowhere', 'y') } });
    const out = await evaluateAll([broken, ratio, missing], new Map([['down', failing], ['prom', fine]]), AT);
    expect(out.map((e) => e.status)).toEqual(['unknown', 'ok', 'error']);
    expect(out[0]!.error).toMatch(/down: connect ECONNREFUSED \(query: x\)/);
    expect(out[0]!.sli).toBeNull();
    expect(out[0]!.tiers.every((t) => !t.firing && t.longBurnRate === null)).toBe(true);
    expect(out[2]!.error).toMatch(/no data source named "nowhere"/);
  });

  it('reports an empty answer as unknown with the windows it lacks', async () => {
    const source = new TableSource('prom', (w) => (w === 300 ? undefined : { bad: 0, total: 100 }));
    const [e] = await evaluateAll([ratio], new Map([['prom', source]]), AT);
    expect(e!.status).toBe('unknown');
    expect(e!.error).toMatch(/no data for window 5m/);
    expect(e!.tiers[0]!.shortBurnRate).toBeNull();
  });

  it('still pages on the windows that answered when another window is empty', async () => {
    const source = new TableSource('prom', (w) => (w === 86_400 ? undefined : { bad: 100, total: 1000 }));
    const [e] = await evaluateAll([ratio], new Map([['prom', source]]), AT);
    expect(e!.status).toBe('page');
    expect(e!.burnRates['1d']).toBeNull();
    expect(e!.tiers.map((t) => t.firing)).toEqual([true, true, false, true]);
    expect(e!.error).toBeUndefined();
  });

  it('derives bad from good for slice kinds and treats windows without slices as spending nothing', async () => {
    const slo = makeSlo({ indicator: { kind: 'throughput', query: q('prom', 'rate(x[5m])'), min: 10, activeWhen: q('prom', 'up') } });
    const source = new TableSource('prom', (w) => (w < 3600 ? { good: 0, total: 0 } : { good: 50, total: 60 }));
    const [e] = await evaluateAll([slo], new Map([['prom', source]]), AT);
    expect(e!.burnRates['5m']).toBe(0);
    expect(e!.burnRates['1h']).toBeCloseTo(10 / 60 / 0.001, 9);
    expect(e!.tiers[0]!.firing).toBe(false);
  });

  it('evaluates SLOs with bounded concurrency', async () => {
    let inFlight = 0;
    let peak = 0;
    const slow: SliSource = {
      name: 'prom',
      type: 'prometheus',
      async read(request) {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((r) => setTimeout(r, 5));
        inFlight--;
        return new Map(request.windows.map((w) => [w, { bad: 0, total: 1 }]));
      },
      async ping() {},
      async close() {},
    };
    const slos = Array.from({ length: 10 }, (_, i) => ({ ...ratio, id: `s/${i}` }));
    const out = await evaluateAll(slos, new Map([['prom', slow]]), AT, { concurrency: 3 });
    expect(out.map((e) => e.id)).toEqual(slos.map((s) => s.id));
    expect(peak).toBe(3);
  });

  it('at the read deadline, makes only the SLOs still waiting unknown, whether their source batches or not', async () => {
    // 'prom' batches SLOs (readMany) and never answers, ignoring the signal; 'sql' answers at once.
    const stuck: SliSource = {
      name: 'prom',
      type: 'prometheus',
      read: () => new Promise<SliReading>(() => {}),
      readMany: () => new Promise<Array<SliReading | Error>>(() => {}),
      async ping() {},
      async close() {},
    };
    const fine = new TableSource('sql', () => ({ bad: 0, total: 1000 }));
    const waiting = Array.from({ length: 3 }, (_, i) => ({ ...ratio, id: `prom/${i}` }));
    const answered = Array.from({ length: 3 }, (_, i) =>
      makeSlo({ id: `sql/${i}`, indicator: { kind: 'ratio', bad: q('sql', 'bad'), total: q('sql', 'total') } }),
    );
    const deadline = new AbortController();
    const out = evaluateAll([...waiting, ...answered], new Map<string, SliSource>([['prom', stuck], ['sql', fine]]), AT, {
      concurrency: 1,
      readDeadline: deadline.signal,
    });
    // The SQL SLOs do not wait behind the stuck batch, even with one place in the pool.
    await expect.poll(() => fine.requests.length, { timeout: 30_000 }).toBe(3);
    deadline.abort(new Error('40s'));
    const byId = Object.fromEntries((await out).map((e) => [e.id, e]));
    for (const slo of answered) expect(byId[slo.id]).toMatchObject({ status: 'ok' });
    for (const slo of waiting) {
      expect(byId[slo.id]!.status).toBe('unknown');
      expect(byId[slo.id]!.error).toBe(`prom: SLO ${slo.id}: no answer before the cycle's read deadline (40s)`);
    }
  });
});
