// The normalized domain model every stage after the spec works with. The YAML format
// (src/spec) is parsed, validated and then normalized into these types; nothing
// downstream looks at YAML.
import type { Tier } from './tiers.ts';

export type Severity = 'page' | 'ticket';
export type QueryLanguage = 'promql' | 'sql';

/** One query of an indicator, bound to the DataSource that answers it. */
export interface QueryRef {
  source: string;
  language: QueryLanguage;
  text: string;
}

export type Indicator =
  | { kind: 'ratio'; good?: QueryRef; bad?: QueryRef; total: QueryRef }
  | { kind: 'latency'; source: string; metric: string; selector: string; thresholdSeconds: number }
  | { kind: 'freshness'; query: QueryRef; maxAgeSeconds: number }
  | { kind: 'throughput'; query: QueryRef; min: number; activeWhen?: QueryRef }
  | { kind: 'threshold'; query: QueryRef; op: 'gte' | 'gt' | 'lte' | 'lt'; value: number };

export type IndicatorKind = Indicator['kind'];

/** Occurrence kinds budget events; slice kinds budget time slices. */
export function budgetingOf(kind: IndicatorKind): 'occurrences' | 'timeslices' {
  return kind === 'ratio' || kind === 'latency' ? 'occurrences' : 'timeslices';
}

export interface RemediationTarget {
  kind: string;
  namespace: string;
  name: string;
  apiVersion?: string;
}

export interface Slo {
  /** `service/name`, unique across all files. */
  id: string;
  name: string;
  service: string;
  owner?: string;
  labels: Record<string, string>;
  description?: string;
  /** Percent as written (99.9). */
  objectivePercent: number;
  /** Fraction (0.999). */
  objective: number;
  /** The rolling period, as written ("28d") and in seconds. */
  window: string;
  windowSeconds: number;
  /** The default DataSource of the SLO's queries. */
  source: string;
  indicator: Indicator;
  /** Slice length for time-slice kinds. */
  timesliceSeconds: number;
  /** How often the service evaluates this SLO. */
  intervalSeconds: number;
  alerting: {
    channel?: string;
    runbook?: string;
    postmortemTemplate?: string;
    minEvents: number;
    /** Consecutive unknown evaluations before a no_data signal. */
    noDataAfter: number;
    tiers: Tier[];
  };
  remediation?: { rollback?: RemediationTarget; rerun?: RemediationTarget };
  /** Where it was written, for messages. */
  origin: { file: string; line: number };
}

export interface PrometheusSourceSpec {
  type: 'prometheus';
  name: string;
  url: string;
  timeoutSeconds: number;
  headers: Record<string, string>;
  /** Read the series the generated recording rules write instead of running each SLO's PromQL. */
  mode?: 'raw' | 'recorded';
  /** Recorded mode: the rule groups' evaluation interval (default 60). */
  ruleIntervalSeconds?: number;
}
export interface BigQuerySourceSpec {
  type: 'bigquery';
  name: string;
  projectId: string;
  location?: string;
  apiEndpoint?: string;
  maximumBytesBilled?: number;
  timeoutSeconds: number;
  /** How far back each cycle re-reads for late-arriving rows (default 300). */
  overlapSeconds?: number;
}
export interface PostgresSourceSpec {
  type: 'postgres';
  name: string;
  /** postgres://… or pglite://<dir>. */
  url: string;
  timeoutSeconds: number;
  /** How far back each cycle re-reads for late-arriving rows (default 300). */
  overlapSeconds?: number;
}
export type DataSourceSpec = PrometheusSourceSpec | BigQuerySourceSpec | PostgresSourceSpec;
