-- Silences set from an alert message: for 1 h, 4 h, or until the episode resolves.
CREATE TABLE silences (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  slo_id text NOT NULL,
  alert_id bigint REFERENCES slack_alerts (id),
  created_at timestamptz NOT NULL,
  created_by jsonb NOT NULL,
  -- null with until_resolved: lifted when the alert resolves
  until timestamptz,
  until_resolved boolean NOT NULL DEFAULT false,
  lifted_at timestamptz
);
CREATE INDEX silences_active ON silences (slo_id) WHERE lifted_at IS NULL;
