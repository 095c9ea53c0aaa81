-- Remediation actions (rollback, re-run training). `key` identifies the change itself
-- (target, from-revision, to-revision), so a double click, two people at once or a retry
-- after a crash find the same row; the row is claimed (approved → executing) in one
-- UPDATE before anything is changed in the cluster.
CREATE TABLE actions (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  key text NOT NULL UNIQUE,
  kind text NOT NULL,
  target text NOT NULL,
  namespace text NOT NULL,
  -- planned → approved → executing → done | failed
  state text NOT NULL CHECK (state IN ('planned', 'approved', 'executing', 'done', 'failed')),
  dry_run boolean NOT NULL,
  plan jsonb NOT NULL,
  requested_by text NOT NULL,
  requested_at timestamptz NOT NULL,
  -- where to report (e.g. the incident id / Slack channel), free-form
  context jsonb NOT NULL DEFAULT '{}',
  attempts integer NOT NULL DEFAULT 0,
  executed_by text,
  started_at timestamptz,
  finished_at timestamptz,
  result text,
  error text,
  verification jsonb
);
CREATE INDEX actions_state ON actions (state);
-- Approvals for the two-person rule: one row per distinct approver.
CREATE TABLE action_approvals (
  action_id bigint NOT NULL REFERENCES actions (id),
  approver text NOT NULL,
  at timestamptz NOT NULL,
  PRIMARY KEY (action_id, approver)
);
