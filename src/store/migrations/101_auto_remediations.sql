-- Automatic remediation (remediation.auto): one row per page episode (sloId|tier|firedAt), so
-- burnwatch decides at most once per incident: pending (cancellable until due_at), cancelled,
-- running, done, failed, skipped (a guard said no) or dry_run. Portable SQL; times from the app.
CREATE TABLE auto_remediations (
  id text PRIMARY KEY,
  episode text NOT NULL UNIQUE,
  slo_id text NOT NULL,
  action text NOT NULL,
  request text NOT NULL,
  reason text NOT NULL,
  dry_run integer NOT NULL,
  state text NOT NULL,
  created_at timestamptz NOT NULL,
  due_at timestamptz NOT NULL,
  decided_by text,
  finished_at timestamptz,
  result text
);
CREATE INDEX auto_remediations_state ON auto_remediations (state, due_at);
