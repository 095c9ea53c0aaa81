// The burnwatch/v1 YAML format. These zod schemas are its single source: the loader parses
// with them, the types below are inferred from them, and README's reference describes them.
// Objects are strict: an unknown field is an error (with a "did you mean").
import { z } from 'zod';
import { isDuration, parseDuration } from '../domain/duration.ts';

export const API_VERSION = 'burnwatch/v1';

const NAME = /^[a-z0-9]([a-z0-9._-]*[a-z0-9])?$/;
export const Name = z
  .string()
  .regex(NAME, { message: 'must be lower-case letters, digits, "-", "_" or "." (starting and ending with a letter or digit)' });

export const Duration = z.custom<string>((v) => typeof v === 'string' && isDuration(v) && parseDuration(v) > 0, {
  message: 'must be a Prometheus duration such as 30s, 5m, 1h or 28d',
});

/** A latency threshold: plain seconds (0.15) or a duration (150ms). */
export const Seconds = z.custom<number | string>(
  (v) => (typeof v === 'number' && v > 0 && Number.isFinite(v)) || (typeof v === 'string' && isDuration(v) && parseDuration(v) > 0),
  { message: 'must be a positive number of seconds (0.15) or a duration (150ms)' },
);

const BYTES = /^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|TB|PB|KiB|MiB|GiB|TiB|PiB)$/;
const BYTE_UNITS: Record<string, number> = {
  B: 1, KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12, PB: 1e15, KiB: 2 ** 10, MiB: 2 ** 20, GiB: 2 ** 30, TiB: 2 ** 40, PiB: 2 ** 50,
};
/** Bytes as a number or with a unit: 10GB (decimal) or 10GiB (binary). */
export const Bytes = z.custom<number | string>(
  (v) => (typeof v === 'number' && Number.isInteger(v) && v > 0) || (typeof v === 'string' && BYTES.test(v)),
  { message: 'must be a number of bytes or a size such as 10GB or 1TiB' },
);
export function parseBytes(value: number | string): number {
  if (typeof value === 'number') return value;
  const [, n, unit] = BYTES.exec(value)!;
  return Math.round(Number(n) * BYTE_UNITS[unit!]!);
}

const NonEmpty = z.string().trim().min(1, { message: 'must not be empty' });

// ---------- DataSource ----------

export const PrometheusSource = z.strictObject({
  url: z.url({ message: 'must be a URL such as http://localhost:9090' }),
  timeout: Duration.optional(),
  headers: z.record(z.string(), z.string()).optional(),
  /** raw: burnwatch runs each SLO's PromQL; recorded: it reads what `burnwatch generate prometheus` rules record. */
  mode: z.enum(['raw', 'recorded']).optional(),
  /** recorded: the rule groups' evaluation interval (a series older than two of them is stale). */
  ruleInterval: Duration.optional(),
});
export const BigQuerySource = z.strictObject({
  projectId: NonEmpty,
  location: NonEmpty.optional(),
  apiEndpoint: z.url({ message: 'must be a URL' }).optional(),
  maximumBytesBilled: Bytes.optional(),
  timeout: Duration.optional(),
  /** How far back each cycle re-reads for late rows (warehouse interval cache). */
  overlap: Duration.optional(),
});
export const PostgresSource = z.strictObject({
  url: z.string().regex(/^(postgres(ql)?|pglite):\/\//, { message: 'must be a postgres:// connection URL (or pglite://<dir>)' }),
  timeout: Duration.optional(),
  overlap: Duration.optional(),
});

/**
 * YAML writes a tagged union as optional keys of which exactly one is given (`prometheus:` or
 * `bigquery:`…); this is the check, with the two messages a person needs.
 */
function exactlyOne<K extends string>(keys: readonly K[], none: string, many: (given: K[]) => string) {
  return (ctx: z.core.ParsePayload<Partial<Record<K, unknown>>>) => {
    const given = keys.filter((k) => ctx.value[k] !== undefined);
    if (given.length !== 1) ctx.issues.push({ code: 'custom', input: ctx.value, message: given.length === 0 ? none : many(given) });
  };
}

export const SOURCE_TYPES = ['prometheus', 'bigquery', 'postgres'] as const;

export const DataSourceDoc = z.strictObject({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal('DataSource'),
  metadata: z.strictObject({ name: Name }),
  spec: z
    .strictObject({
      prometheus: PrometheusSource.optional(),
      bigquery: BigQuerySource.optional(),
      postgres: PostgresSource.optional(),
    })
    .check(
      exactlyOne(
        SOURCE_TYPES,
        'needs one of prometheus, bigquery or postgres',
        (given) => `gives ${given.join(' and ')}: a DataSource is exactly one of prometheus, bigquery or postgres`,
      ),
    ),
});
export type DataSourceDoc = z.infer<typeof DataSourceDoc>;

// ---------- SLO ----------

/**
 * A query: a plain string in the language of its DataSource (PromQL for prometheus, SQL for
 * bigquery/postgres), or `{promql: …}` / `{sql: …}`, optionally with its own `source:`.
 */
export const QueryObject = z
  .strictObject({ promql: NonEmpty.optional(), sql: NonEmpty.optional(), source: Name.optional() })
  .check(exactlyOne(['promql', 'sql'], 'needs the query text: promql: … or sql: …', () => 'gives both promql and sql: choose one'));
export const Query = z.union([NonEmpty, QueryObject]);
export type Query = z.infer<typeof Query>;

export const LatencyIndicator = z.strictObject({
  metric: z.string().regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, { message: 'must be a Prometheus metric name' }),
  selector: z.string().optional(),
  threshold: Seconds,
  source: Name.optional(),
});
export const RatioIndicator = z
  .strictObject({ good: Query.optional(), bad: Query.optional(), total: Query })
  .check((ctx) => {
    const n = Number(ctx.value.good !== undefined) + Number(ctx.value.bad !== undefined);
    if (n !== 1)
      ctx.issues.push({
        code: 'custom',
        input: ctx.value,
        message: n === 0 ? 'needs good: or bad: (with total:)' : 'gives both good and bad: give one of them with total',
      });
  });
export const FreshnessIndicator = z.strictObject({ query: Query, maxAge: Duration });
export const ThroughputIndicator = z.strictObject({
  query: Query,
  min: z.number().positive(),
  activeWhen: Query.optional(),
});
export const THRESHOLD_OPS = ['gte', 'gt', 'lte', 'lt'] as const;
export const ThresholdIndicator = z.strictObject({
  query: Query,
  op: z.enum(THRESHOLD_OPS),
  value: z.number(),
});

export const INDICATOR_KINDS = ['ratio', 'latency', 'freshness', 'throughput', 'threshold'] as const;

export const IndicatorDoc = z
  .strictObject({
    ratio: RatioIndicator.optional(),
    latency: LatencyIndicator.optional(),
    freshness: FreshnessIndicator.optional(),
    throughput: ThroughputIndicator.optional(),
    threshold: ThresholdIndicator.optional(),
  })
  .check(exactlyOne(INDICATOR_KINDS, `needs one of ${INDICATOR_KINDS.join(', ')}`, (given) => `gives ${given.join(' and ')}: an SLO has exactly one indicator`));

export const TierDoc = z.strictObject({
  severity: z.enum(['page', 'ticket']),
  budgetPercent: z.number().gt(0).max(100),
  long: Duration,
  /** Default: long / 12 (the workbook's ratio). */
  short: Duration.optional(),
});

/** Workload kinds src/actions can act on: roll back a serving workload, re-run a training job. */
export const ROLLBACK_KINDS = ['Deployment', 'Rollout', 'InferenceService'] as const;
export const RERUN_KINDS = ['CronJob'] as const;

const remediationTarget = <K extends readonly [string, ...string[]]>(kinds: K) =>
  z.strictObject({ kind: z.enum(kinds), namespace: Name, name: Name, apiVersion: NonEmpty.optional() });

export const SloDoc = z.strictObject({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal('SLO'),
  metadata: z.strictObject({
    name: Name,
    service: Name,
    owner: NonEmpty.optional(),
    labels: z.record(z.string(), z.string()).optional(),
  }),
  spec: z.strictObject({
    description: z.string().optional(),
    objective: z.number().gt(0).lt(100),
    window: Duration.optional(),
    source: Name.optional(),
    indicator: IndicatorDoc,
    timeslice: Duration.optional(),
    interval: Duration.optional(),
    alerting: z
      .strictObject({
        channel: NonEmpty.optional(),
        runbook: NonEmpty.optional(),
        postmortemTemplate: NonEmpty.optional(),
        minEvents: z.number().int().min(0).optional(),
        noDataAfter: z.number().int().min(1).optional(),
        tiers: z.array(TierDoc).min(1).optional(),
      })
      .optional(),
    remediation: z
      .strictObject({ rollback: remediationTarget(ROLLBACK_KINDS).optional(), rerun: remediationTarget(RERUN_KINDS).optional() })
      .optional(),
  }),
});
export type SloDoc = z.infer<typeof SloDoc>;
