-- Per-interval aggregates of warehouse SLI queries (BigQuery, PostgreSQL), so that a
-- cycle queries only what is new instead of rescanning the SLO window. One cache entry
-- per SLO × source × query text × interval length (a changed query starts afresh).
CREATE TABLE warehouse_cache (
  cache_key text PRIMARY KEY,
  slo_id text NOT NULL,
  source text NOT NULL,
  kind text NOT NULL,
  interval_seconds integer NOT NULL,
  -- Every interval in [covered_from, covered_until) has been read from the source.
  covered_from timestamptz NOT NULL,
  covered_until timestamptz NOT NULL
);
CREATE INDEX warehouse_cache_slo ON warehouse_cache (slo_id);

-- Ratio buckets carry good/bad/total, series slices value_sum/value_count, freshness
-- slices the latest update inside the slice. An interval with no data has no row.
CREATE TABLE warehouse_intervals (
  cache_key text NOT NULL REFERENCES warehouse_cache (cache_key) ON DELETE CASCADE,
  interval_start timestamptz NOT NULL,
  good double precision,
  bad double precision,
  total double precision,
  value_sum double precision,
  value_count integer,
  last_update timestamptz,
  PRIMARY KEY (cache_key, interval_start)
);
