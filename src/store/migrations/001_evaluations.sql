-- The figures of each evaluation of each SLO: history for reports and /api/slos.
CREATE TABLE evaluations (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  slo_id text NOT NULL,
  evaluated_at timestamptz NOT NULL,
  status text NOT NULL,
  objective double precision NOT NULL,
  sli double precision,
  budget_remaining double precision,
  time_to_exhaustion_seconds double precision,
  burn_rates jsonb NOT NULL DEFAULT '{}',
  tiers jsonb NOT NULL DEFAULT '[]',
  events_bad double precision,
  events_total double precision,
  error text,
  UNIQUE (slo_id, evaluated_at)
);
CREATE INDEX evaluations_evaluated_at ON evaluations (evaluated_at);
