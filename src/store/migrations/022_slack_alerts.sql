-- One firing episode per SLO and severity, as shown in its Slack alert message:
-- firing → acknowledged → resolved. At most one open episode per SLO and severity.
CREATE TABLE slack_alerts (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  slo_id text NOT NULL,
  severity text NOT NULL,
  state text NOT NULL,
  channel text NOT NULL,
  fired_at timestamptz NOT NULL,
  acknowledged_at timestamptz,
  acknowledged_by jsonb,
  resolved_at timestamptz,
  incident_id bigint REFERENCES incidents (id),
  budget_at_firing double precision,
  snapshot jsonb NOT NULL
);
CREATE UNIQUE INDEX slack_alerts_open ON slack_alerts (slo_id, severity) WHERE state <> 'resolved';
-- Alert intents (outbox messages from the state machine) already applied, so that a
-- retried delivery does not apply one twice.
CREATE TABLE slack_applied_intents (
  key text PRIMARY KEY,
  applied_at timestamptz NOT NULL
);
