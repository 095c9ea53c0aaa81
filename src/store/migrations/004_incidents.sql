-- The base of an incident; the Slack/incidents migrations (020+) add its details.
CREATE TABLE incidents (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- dedup key: one open incident per SLO alert or per Alertmanager fingerprint
  key text NOT NULL UNIQUE,
  slo_id text,
  title text NOT NULL,
  severity text NOT NULL,
  status text NOT NULL DEFAULT 'open',
  source text NOT NULL,
  opened_at timestamptz NOT NULL,
  resolved_at timestamptz
);
CREATE INDEX incidents_open ON incidents (status, opened_at);
