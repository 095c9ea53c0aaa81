-- Deploy freezes of the error-budget policy: one row per (policy, SLO) freeze, open while
-- ended_at is null (at most one open per pair), and the audited overrides that lift one.
-- Portable SQL (PostgreSQL and SQLite): ids and times come from the application.
CREATE TABLE budget_freezes (
  id text PRIMARY KEY,
  policy text NOT NULL,
  slo_id text NOT NULL,
  started_at timestamptz NOT NULL,
  start_budget double precision,
  ended_at timestamptz,
  end_budget double precision,
  threshold double precision NOT NULL
);
CREATE UNIQUE INDEX budget_freezes_open ON budget_freezes (policy, slo_id) WHERE ended_at IS NULL;
CREATE INDEX budget_freezes_started ON budget_freezes (started_at);

CREATE TABLE budget_overrides (
  id text PRIMARY KEY,
  freeze_id text NOT NULL REFERENCES budget_freezes (id),
  actor text NOT NULL,
  reason text NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX budget_overrides_freeze ON budget_overrides (freeze_id);
