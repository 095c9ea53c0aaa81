// A week of telemetry of a recommendation platform, minute by minute and deterministic
// (seeded): an HSTU ranking service (requests, errors, requests over 150 ms), the model
// versions it serves, and the streaming trainer that produces them. Two incidents are
// injected: a bad model deploy that regresses latency, and a training pipeline that
// stalls so the served model goes stale.

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export interface RankingMinute {
  ts: Date;
  requests: number;
  errors: number;
  /** Requests answered within 150 ms. */
  fast: number;
}

export interface ModelDeployment {
  model: string;
  version: string;
  deployedAt: Date;
}

export interface TrainingMinute {
  ts: Date;
  samplesPerSecond: number;
}

export interface InjectedIncident {
  title: string;
  /** The SLOs it should show up on. */
  slos: string[];
  start: Date;
  end: Date;
  /** What happened, told when the timeline reaches it. */
  story: string;
  resolution: string;
}

export interface Telemetry {
  /** Start of the history (four quiet weeks before the demo week, so 28d windows are full). */
  historyStart: Date;
  /** The demo week. */
  start: Date;
  end: Date;
  ranking: RankingMinute[];
  deployments: ModelDeployment[];
  training: TrainingMinute[];
  incidents: InjectedIncident[];
}

/** mulberry32: a tiny seeded PRNG, so every run of the demo tells the same story. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Events out of n that happen with probability p (normal approximation, never negative). */
function draw(rand: () => number, n: number, p: number): number {
  const mean = n * p;
  const sd = Math.sqrt(n * p * (1 - p));
  const z = Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  return Math.max(0, Math.min(n, Math.round(mean + sd * z)));
}

/** The week starting at `start` (a Monday 00:00 UTC), after four quiet weeks of history. */
export function generateTelemetry(start: Date, seed = 20_261_118): Telemetry {
  const rand = random(seed);
  const t0 = start.getTime();
  const historyStart = new Date(t0 - 28 * DAY);
  const end = new Date(t0 + 7 * DAY);
  const at = (day: number, hour: number, minute = 0) => new Date(t0 + day * DAY + hour * HOUR + minute * MINUTE);

  const badDeploy = { start: at(1, 14, 5), end: at(1, 14, 55) };
  const stall = { start: at(3, 21, 40), end: at(4, 9, 20) };
  const incidents: InjectedIncident[] = [
    {
      title: 'Bad model deploy regresses ranking latency',
      slos: ['hstu-ranker/ranking-latency', 'hstu-ranker/ranking-availability'],
      start: badDeploy.start,
      end: badDeploy.end,
      story: 'hstu-ranker v2 with a 4x longer user-history context is deployed; 40 % of ranking requests now take over 150 ms, a few time out',
      resolution: 'the deploy is rolled back to the previous model version',
    },
    {
      title: 'Training pipeline stalls, the served model goes stale',
      slos: ['training/hstu-throughput', 'hstu-ranker/model-freshness'],
      start: stall.start,
      end: stall.end,
      story: 'the streaming trainer hangs on a corrupted interaction-log shard: throughput drops to almost nothing and no new model is published',
      resolution: 'the shard is skipped, the trainer restarts and a fresh model is deployed at 10:00',
    },
  ];

  const ranking: RankingMinute[] = [];
  const training: TrainingMinute[] = [];
  for (let t = historyStart.getTime(); t < end.getTime(); t += MINUTE) {
    const hourOfDay = (((t - t0) % DAY) + DAY) % DAY / HOUR;
    // Diurnal traffic: a quiet night, an evening peak around 20:00 UTC.
    const requests = Math.round(6000 + 4500 * Math.sin(((hourOfDay - 14) / 24) * 2 * Math.PI) + 300 * (rand() - 0.5));
    const inDeploy = t >= badDeploy.start.getTime() && t < badDeploy.end.getTime();
    const errors = draw(rand, requests, inDeploy ? 0.004 : 0.0002);
    const slow = draw(rand, requests, inDeploy ? 0.4 : 0.002);
    ranking.push({ ts: new Date(t), requests, errors, fast: requests - slow });

    const stalled = t >= stall.start.getTime() && t < stall.end.getTime();
    training.push({ ts: new Date(t), samplesPerSecond: Math.round(stalled ? 800 * rand() : 62_000 + 6000 * (rand() - 0.5)) });
  }

  // Continuous training publishes a model every 4 hours, except while the pipeline is stalled.
  const deployments: ModelDeployment[] = [];
  let n = 0;
  for (let t = historyStart.getTime(); t < end.getTime(); t += 4 * HOUR) {
    if (t >= stall.start.getTime() && t < stall.end.getTime()) continue;
    deployments.push({ model: 'hstu-ranker', version: `v1.${++n}`, deployedAt: new Date(t) });
  }
  deployments.push({ model: 'hstu-ranker', version: 'v2.0-long-context', deployedAt: badDeploy.start });
  deployments.push({ model: 'hstu-ranker', version: `v1.${n} (rollback)`, deployedAt: badDeploy.end });
  deployments.push({ model: 'hstu-ranker', version: `v1.${++n} (after the stall)`, deployedAt: at(4, 10) });
  deployments.sort((a, b) => a.deployedAt.getTime() - b.deployedAt.getTime());

  return { historyStart, start, end, ranking, deployments, training, incidents };
}
