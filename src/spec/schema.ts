// The burnwatch/v1 YAML format. These zod schemas are its single source: the loader parses
// with them, the types below are inferred from them, and docs/slo-reference.md is generated from them (npm run docs:reference).
// Objects are strict: an unknown field is an error (with a "did you mean").
import { z } from 'zod';
import { isDuration, parseDuration } from '../domain/duration.ts';

export const API_VERSION = 'burnwatch/v1';

const NAME = /^[a-z0-9]([a-z0-9._-]*[a-z0-9])?$/;
export const Name = z
  .string()
  .regex(NAME, { message: 'must be lower-case letters, digits, "-", "_" or "." (starting and ending with a letter or digit)' });

/** No window, timeout or interval in a spec is longer (a bound keeps the math finite). */
export const MAX_DURATION_SECONDS = 31_536_000;
export const Duration = z
  .custom<string>((v) => typeof v === 'string' && isDuration(v) && parseDuration(v) > 0, {
    message: 'must be a Prometheus duration such as 30s, 5m, 1h or 28d',
  })
  .refine((v) => typeof v !== 'string' || !isDuration(v) || parseDuration(v) <= MAX_DURATION_SECONDS, { message: 'must be at most 1 year (365d)' });

/** URLs with the schemes a source speaks (z.url alone accepts javascript: and file:). */
const httpUrl = (example: string) =>
  z.url({ protocol: /^https?$/, message: `must be a URL with http:// or https://, such as ${example}` });

/** Label names Prometheus accepts (and not the reserved __ prefix); values of bounded length. */
export const PrometheusLabels = z.record(z.string(), z.string().max(1024, { message: 'must be at most 1024 characters' })).check((ctx) => {
  for (const key of Object.keys(ctx.value)) {
    const message = !/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(key)
      ? `${JSON.stringify(key)} is not a Prometheus label name (letters, digits and _, not starting with a digit)`
      : key.startsWith('__')
        ? `${JSON.stringify(key)}: label names starting with __ are reserved by Prometheus`
        : undefined;
    if (message) ctx.issues.push({ code: 'custom', input: key, path: [key], message });
  }
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
  url: httpUrl('http://localhost:9090'),
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
  apiEndpoint: httpUrl('https://bigquery.googleapis.com').optional(),
  maximumBytesBilled: Bytes.optional(),
  timeout: Duration.optional(),
  /** How far back each cycle re-reads for late rows (warehouse interval cache). */
  overlap: Duration.optional(),
});
export const PostgresSource = z.strictObject({
  url: z.string().regex(/^(postgres(ql)?|pglite|sqlite):\/\//, { message: 'must be a postgres:// connection URL (or sqlite://<file>, pglite://<dir>)' }),
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

export const AirflowSource = z
  .strictObject({
    url: z.url({ message: 'must be the Airflow API server URL, e.g. https://airflow.example.com' }),
    api: z.enum(['v1', 'v2']).optional(),
    token: NonEmpty.optional(),
    username: NonEmpty.optional(),
    password: NonEmpty.optional(),
    timeout: Duration.optional(),
  })
  .refine((a) => (a.username === undefined) === (a.password === undefined), { message: 'username and password go together (basic auth)' })
  .refine((a) => !(a.token && a.username), { message: 'give a token or a username and password, not both' });

export const SOURCE_TYPES = ['prometheus', 'bigquery', 'postgres', 'airflow'] as const;

export const DataSourceDoc = z.strictObject({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal('DataSource'),
  metadata: z.strictObject({ name: Name }),
  spec: z
    .strictObject({
      prometheus: PrometheusSource.optional(),
      bigquery: BigQuerySource.optional(),
      postgres: PostgresSource.optional(),
      airflow: AirflowSource.optional(),
    })
    .check(
      exactlyOne(
        SOURCE_TYPES,
        'needs one of prometheus, bigquery, postgres or airflow',
        (given) => `gives ${given.join(' and ')}: a DataSource is exactly one of prometheus, bigquery, postgres or airflow`,
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

/** Labels and annotations put on generated alerts and notifications (Alertmanager routes match them). */
const AlertLabels = z.record(z.string(), z.string());

export const TierDoc = z.strictObject({
  severity: z.enum(['page', 'ticket']),
  budgetPercent: z.number().gt(0).max(100),
  long: Duration,
  /** Default: long / 12 (the workbook's ratio). */
  short: Duration.optional(),
  labels: AlertLabels.optional(),
  annotations: AlertLabels.optional(),
});

/** Workload kinds src/actions can act on: roll back a serving workload, re-run a training job. */
export const ROLLBACK_KINDS = ['Deployment', 'Rollout', 'InferenceService'] as const;
export const RERUN_KINDS = ['CronJob', 'AirflowDag', 'WorkflowTemplate'] as const;

const remediationTarget = <K extends readonly [string, ...string[]]>(kinds: K) =>
  z.strictObject({ kind: z.enum(kinds), namespace: Name, name: Name, apiVersion: NonEmpty.optional() });

export const SloDoc = z.strictObject({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal('SLO'),
  metadata: z.strictObject({
    name: Name,
    service: Name,
    owner: NonEmpty.optional(),
    labels: PrometheusLabels.optional(),
  }),
  spec: z.strictObject({
    description: z.string().optional(),
    objective: z.number().gt(0).lt(100),
    window: Duration.optional(),
    source: Name.optional(),
    indicator: IndicatorDoc,
    timeslice: Duration.optional(),
    interval: Duration.optional(),
    /** One SLO per value of these labels (per model, route, tenant), each with its own budget and alerts. */
    groupBy: z
      .array(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, { message: 'must be a Prometheus label name' }))
      .min(1)
      .optional(),
    /** At most this many values are evaluated (default 100); more is reported. */
    maxGroups: z.number().int().min(1).max(10_000).optional(),
    alerting: z
      .strictObject({
        channel: NonEmpty.optional(),
        runbook: NonEmpty.optional(),
        postmortemTemplate: NonEmpty.optional(),
        minEvents: z.number().int().min(0).optional(),
        noDataAfter: z.number().int().min(1).optional(),
        /** The pager for this SLO's pages: a service or team named in the paging config (never a key). */
        page: z
          .string()
          .regex(/^(pagerduty|opsgenie):[a-z0-9][a-z0-9_.-]*$/, { message: 'expected pagerduty:<service> or opsgenie:<team>, as named in BURNWATCH_PAGING_CONFIG' })
          .optional(),
        /** A page nobody acknowledged this long goes to the next escalation step. */
        escalateAfter: Duration.optional(),
        escalation: z
          .array(
            z.string().regex(/^slack:[#@].+$|^(pagerduty|opsgenie):[a-z0-9][a-z0-9_.-]*$/, {
              message: 'expected slack:#channel, slack:@user-group, pagerduty:<service> or opsgenie:<team>',
            }),
          )
          .optional(),
        /** `[]`: tracked, shown and reported, never alerting. */
        tiers: z.array(TierDoc).optional(),
        /** The generated alerts' name (default: from the SLO id), and labels/annotations on every tier's alert. */
        name: z.string().regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, { message: 'must be a Prometheus alert name (letters, digits, _ and :)' }).optional(),
        labels: AlertLabels.optional(),
        annotations: AlertLabels.optional(),
      })
      .optional(),
    remediation: z
      .strictObject({
        rollback: remediationTarget(ROLLBACK_KINDS).optional(),
        rerun: remediationTarget(RERUN_KINDS).optional(),
        auto: z
          .strictObject({ action: z.enum(['rollback', 'rerun']), withinDeploy: Duration.optional(), delay: Duration.optional(), dryRun: z.boolean().optional() })
          .optional(),
      })
      .optional(),
  }),
});
export type SloDoc = z.infer<typeof SloDoc>;
