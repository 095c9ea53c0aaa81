// `validate --check-sources`: every warehouse query of every SLO, checked against its
// source without reading data. BigQuery queries are dry-run (the SQL is compiled and the
// bytes a read would scan come back); PostgreSQL queries are planned with EXPLAIN.
import type { BigQuerySourceSpec, DataSourceSpec, PostgresSourceSpec, QueryRef, Slo } from '../domain/slo.ts';
import { type BigQueryRunner, type BigQueryRunnerOptions, createBigQueryRunner } from './bigquery/bigquery-runner.ts';
import { createPostgresRunner, type PostgresRunner } from './postgres/postgres-runner.ts';
import type { Problem } from '../spec/problem.ts';
import { SourceError } from './source-error.ts';
import { isBucketed, type SqlParams } from './sql/sql-contract.ts';
import { checkRecordedRules } from './prometheus/recorded-check.ts';

const DEFAULT_OVERLAP_SECONDS = 300;

export interface SourceCheck {
  slo: string;
  source: string;
  type: 'bigquery' | 'postgres' | 'prometheus';
  /** "good query", "freshness query", … */
  role: string;
  file: string;
  line: number;
  severity: 'ok' | 'warning' | 'error';
  message: string;
  /** BigQuery: bytes the first read scans (the whole SLO window). */
  firstReadBytes?: number;
  /** BigQuery: bytes each later cycle scans. */
  perCycleBytes?: number;
}

export interface CheckSourcesOptions {
  bigquery?: BigQueryRunnerOptions;
}

interface Job {
  slo: Slo;
  role: string;
  ref: QueryRef;
}

/** The SQL queries of an SLO, one per distinct text (a ratio's good and total often share one). */
function sqlQueries(slo: Slo): Job[] {
  const ind = slo.indicator;
  const refs: [string, QueryRef | undefined][] =
    ind.kind === 'ratio'
      ? [['good', ind.good], ['bad', ind.bad], ['total', ind.total]]
      : ind.kind === 'latency'
        ? []
        : [[ind.kind, ind.query], ...(ind.kind === 'throughput' ? [['activeWhen', ind.activeWhen] as [string, QueryRef | undefined]] : [])];
  const out = new Map<string, Job>();
  for (const [part, ref] of refs) {
    if (ref?.language !== 'sql') continue;
    const key = `${ref.source}\0${ref.text}`;
    const known = out.get(key);
    if (known) known.role = known.role.replace(' query', `/${part} query`);
    else out.set(key, { slo, role: `${part} query`, ref });
  }
  return [...out.values()];
}

export async function checkSources(
  slos: readonly Slo[],
  specs: readonly DataSourceSpec[],
  now: Date,
  options: CheckSourcesOptions = {},
): Promise<SourceCheck[]> {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const results: SourceCheck[] = [];
  const bigquery = new Map<string, BigQueryRunner>();
  const postgres = new Map<string, PostgresRunner>();
  const bigQueryRunner = (spec: BigQuerySourceSpec) => {
    const runner = bigquery.get(spec.name) ?? createBigQueryRunner(spec, options.bigquery);
    bigquery.set(spec.name, runner);
    return runner;
  };
  const postgresRunner = (spec: PostgresSourceSpec) => {
    const runner = postgres.get(spec.name) ?? createPostgresRunner(spec);
    postgres.set(spec.name, runner);
    return runner;
  };
  try {
    // Recorded mode: whether each SLO's rules are loaded and evaluated.
    for (const spec of specs) {
      if (spec.type !== 'prometheus' || spec.mode !== 'recorded' || spec.notConfigured) continue;
      for (const { slo, ok, message } of await checkRecordedRules(spec, slos, now)) {
        results.push({ slo: slo.id, source: spec.name, type: 'prometheus', role: 'recorded rules', file: slo.origin.file, line: slo.origin.line, severity: ok ? 'ok' : 'error', message });
      }
    }
    for (const job of slos.flatMap(sqlQueries)) {
      const spec = byName.get(job.ref.source);
      if (!spec || spec.type === 'prometheus' || spec.type === 'airflow') continue;
      const base = {
        slo: job.slo.id,
        source: spec.name,
        type: spec.type,
        role: job.role,
        file: job.slo.origin.file,
        line: job.slo.origin.line,
      };
      // A DataSource whose variables are unset is never contacted, not even for a dry run.
      if (spec.notConfigured) {
        results.push({ ...base, severity: 'warning', message: `${spec.notConfigured}: not checked` });
        continue;
      }
      try {
        if (spec.type === 'bigquery') {
          results.push({ ...base, ...(await estimateBigQuery(bigQueryRunner(spec), spec, job, now)) });
        } else {
          await postgresRunner(spec).explain(job.ref.text, windowParams(job.slo, now, job.slo.windowSeconds));
          results.push({ ...base, severity: 'ok', message: 'plans fine (EXPLAIN)' });
        }
      } catch (error) {
        if (!(error instanceof SourceError)) throw error;
        const message = error.message.startsWith(`${spec.name}: `) ? error.message.slice(spec.name.length + 2) : error.message;
        results.push({ ...base, severity: 'error', message: error.query ? message.replace(` (query: ${error.query})`, '') : message });
      }
    }
  } finally {
    await Promise.allSettled([...bigquery.values(), ...postgres.values()].map((r) => r.close()));
  }
  return results;
}

function windowParams(slo: Slo, now: Date, seconds: number, extraSeconds = 0): SqlParams {
  return {
    start: new Date(now.getTime() - (seconds + extraSeconds) * 1000),
    end: now,
    window_seconds: seconds,
    bucket_seconds: slo.timesliceSeconds,
  };
}

async function estimateBigQuery(
  runner: BigQueryRunner,
  spec: BigQuerySourceSpec,
  job: Job,
  now: Date,
): Promise<Pick<SourceCheck, 'severity' | 'message' | 'firstReadBytes' | 'perCycleBytes'>> {
  const { slo, ref } = job;
  const overlap = spec.overlapSeconds ?? DEFAULT_OVERLAP_SECONDS;
  const cycle = slo.intervalSeconds + overlap;
  const maxAge = slo.indicator.kind === 'freshness' ? slo.indicator.maxAgeSeconds : 0;
  const first = await runner.estimateBytes(ref.text, windowParams(slo, now, slo.windowSeconds, maxAge));
  const oneRowRatio = slo.indicator.kind === 'ratio' && !isBucketed(ref.text);
  const perCycle = await runner.estimateBytes(ref.text, windowParams(slo, now, cycle, maxAge));
  if (!oneRowRatio) {
    return {
      severity: 'ok',
      message: `first read ${formatBytes(first)} (${slo.window}), then about ${formatBytes(perCycle)} per cycle`,
      firstReadBytes: first,
      perCycleBytes: perCycle,
    };
  }
  // The one-row form reads the new data and the overlap, plus one interval at each window
  // start that still moves through the first read, each in a query of its own (one-row-ratio.ts).
  const windows = new Set([slo.windowSeconds, ...slo.alerting.tiers.flatMap((t) => [t.longSeconds, t.shortSeconds])]);
  const moving = [...windows].filter((w) => w > overlap).length;
  const strip = moving > 0 ? await runner.estimateBytes(ref.text, windowParams(slo, now, slo.intervalSeconds)) : 0;
  const oneRowCycle = perCycle + moving * strip;
  return {
    severity: 'warning',
    message: `first read ${formatBytes(first)} (${slo.window}), then about ${formatBytes(oneRowCycle)} per cycle, but in up to ${2 + moving} queries (on-demand BigQuery bills each at least 10 MiB) while the window starts move through the first read (2 or 3 once burnwatch has read for the whole window); return rows per bucket (ts grouped by @bucket_seconds) to read each cycle in one query`,
    firstReadBytes: first,
    perCycleBytes: oneRowCycle,
  };
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

/** `slos/x.yaml:3 ranking/ctr good query on warehouse: first read 1.2 GiB (28d), then about 3.1 MiB per cycle` */
export function formatSourceCheck(c: SourceCheck): string {
  return `${c.file}:${c.line}:1 ${c.slo} ${c.role} on ${c.source}: ${c.message}`;
}

/** Refused queries as errors, expensive ones as warnings, at the SLO's position. */
export function sourceCheckProblems(checks: readonly SourceCheck[]): Problem[] {
  return checks
    .filter((c): c is SourceCheck & { severity: 'warning' | 'error' } => c.severity !== 'ok')
    .map((c) => ({
      severity: c.severity,
      code: 'source',
      file: c.file,
      line: c.line,
      column: 1,
      path: 'spec.indicator',
      message: `${c.role} on ${c.source}: ${c.message}`,
    }));
}
