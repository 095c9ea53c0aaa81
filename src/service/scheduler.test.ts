import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { makeSlo } from '../../test/fixtures/slo.ts';
import { fixedClock } from '../domain/clock.ts';
import type { Slo } from '../domain/slo.ts';
import { createMetrics } from './metrics.ts';
import { Scheduler } from './scheduler.ts';

const indicator = { kind: 'ratio', total: { source: 'prom', language: 'promql', text: 'x' } } as const;
const fast: Slo = { ...makeSlo({ id: 'a/fast', indicator }), intervalSeconds: 60 };
const slow: Slo = { ...makeSlo({ id: 'a/slow', indicator }), intervalSeconds: 300 };

function scheduler(run: (slos: readonly Slo[], at: Date, signal: AbortSignal) => Promise<unknown>, opts: { leader?: () => boolean; timeoutSeconds?: number } = {}) {
  const clock = fixedClock('2026-11-20T10:00:00Z');
  const metrics = createMetrics();
  const s = new Scheduler({
    schedule: '* * * * *',
    timeoutSeconds: opts.timeoutSeconds ?? 30,
    clock,
    logger: pino({ level: 'silent' }),
    metrics,
    isLeader: opts.leader ?? (() => true),
    slos: () => [fast, slow],
    run,
  });
  return { s, clock, metrics };
}

describe('scheduler', () => {
  it('evaluates each SLO at its own interval', async () => {
    const runs: string[][] = [];
    const { s, clock } = scheduler(async (slos) => runs.push(slos.map((x) => x.id)));
    expect(await s.tick()).toBe('ran');
    clock.advance(60);
    await s.tick();
    clock.advance(240);
    await s.tick();
    expect(runs).toEqual([['a/fast', 'a/slow'], ['a/fast'], ['a/fast', 'a/slow']]);
  });

  it('never overlaps: a tick during a running cycle is skipped and counted', async () => {
    let release!: () => void;
    const { s, metrics } = scheduler(() => new Promise<void>((r) => (release = r)));
    const first = s.tick();
    expect(await s.tick()).toBe('overlap');
    release();
    expect(await first).toBe('ran');
    expect((await metrics.cycles.get()).values.find((v) => v.labels.result === 'overlap')?.value).toBe(1);
  });

  it('aborts a cycle that exceeds its timeout, signalling the sources, and retries those SLOs next time', async () => {
    let sawAbort = false;
    const { s } = scheduler(
      (_slos, _at, signal) =>
        new Promise((_, reject) => {
          signal.addEventListener('abort', () => {
            sawAbort = true;
            reject(signal.reason);
          });
        }),
      { timeoutSeconds: 0.05 },
    );
    expect(await s.tick()).toBe('aborted');
    expect(sawAbort).toBe(true);
    expect(s.due(new Date('2026-11-20T10:00:00Z')).map((x) => x.id)).toEqual(['a/fast', 'a/slow']);
  });

  it('does not evaluate on a follower', async () => {
    const { s } = scheduler(async () => {
      throw new Error('must not run');
    }, { leader: () => false });
    expect(await s.tick()).toBe('follower');
  });
});
