// The normalized domain model every stage after the spec works with. The YAML format
// (src/spec) is parsed, validated and then normalized into these types; nothing
// downstream looks at YAML.
import type { Tier } from './tiers.ts';

export type Severity = 'page' | 'ticket';
/** `airflow`: the text is a DAG id (an Airflow DataSource answers freshness: its last successful run). */
export type QueryLanguage = 'promql' | 'sql' | 'airflow';

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

/** `remediation.auto`: act on a page without a click, guarded (src/actions/auto-remediation.ts). */
export interface AutoRemediationPolicy {
  action: 'rollback' | 'rerun';
  /** Roll back only when the suspected deploy happened at most this long before the burn. */
  afterDeploySeconds: number;
  /** "Rolling back in 2 min — Cancel": how long a person has to cancel. */
  delaySeconds: number;
  /** Report what it would have done, do nothing. */
  dryRun: boolean;
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
    /** `pagerduty:<service>` or `opsgenie:<team>` from the paging config: where pages go. */
    page?: string;
    /** Unacknowledged pages go to these outbox channels, one every `escalateAfterSeconds`. */
    escalation?: { escalateAfterSeconds: number; steps: string[] };
    /** Empty: the SLO is tracked and reported, and never alerts. */
    tiers: readonly Tier[];
    /** The generated alerts' name, and labels / annotations on every alert and notification (e.g. from Sloth). */
    name?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  remediation?: { rollback?: RemediationTarget; rerun?: RemediationTarget; auto?: AutoRemediationPolicy };
  /**
   * A grouped definition (`spec.groupBy`): evaluated as one SLO per value of these labels, at most
   * `max` of them. Never evaluated itself: see src/evaluator/expand-groups.ts.
   */
  groupBy?: { labels: string[]; max: number };
  /** An SLO made from a grouped definition for one value of its labels. */
  group?: { of: string; values: Record<string, string> };
  /** Where it was written, for messages. */
  origin: { file: string; line: number };
}

export interface PrometheusSourceSpec {
  type: 'prometheus';
  name: string;
  notConfigured?: string;
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
  notConfigured?: string;
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
  notConfigured?: string;
  /** postgres://…, sqlite://<file> or pglite://<dir>. */
  url: string;
  timeoutSeconds: number;
  /** How far back each cycle re-reads for late-arriving rows (default 300). */
  overlapSeconds?: number;
}
/** Airflow's REST API (v1: Airflow 2, v2: Airflow 3): freshness from a DAG's last successful run. */
export interface AirflowSourceSpec {
  type: 'airflow';
  name: string;
  notConfigured?: string;
  url: string;
  api: 'v1' | 'v2';
  /** Bearer token, or basic auth (both usually `${VAR}` from the environment). */
  token?: string;
  username?: string;
  password?: string;
  timeoutSeconds: number;
}
/**
 * `notConfigured` (every type): the file refers to a variable that is not set (`${BURNWATCH_BQ_PROJECT}`
 * without a default), so the source is never contacted and its SLOs are unknown with this reason.
 */
export type DataSourceSpec = PrometheusSourceSpec | BigQuerySourceSpec | PostgresSourceSpec | AirflowSourceSpec;
