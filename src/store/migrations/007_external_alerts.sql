-- Alerts received from Alertmanager (webhook v4), by fingerprint.
CREATE TABLE external_alerts (
  fingerprint text PRIMARY KEY,
  alertname text NOT NULL,
  status text NOT NULL,
  severity text,
  labels jsonb NOT NULL,
  annotations jsonb NOT NULL DEFAULT '{}',
  starts_at timestamptz NOT NULL,
  ends_at timestamptz,
  generator_url text,
  received_at timestamptz NOT NULL
);
