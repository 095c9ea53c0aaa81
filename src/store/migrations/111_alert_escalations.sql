-- Escalation steps taken for an alert episode that nobody acknowledged: each step once.
CREATE TABLE alert_escalations (
  alert_id bigint NOT NULL,
  step integer NOT NULL,
  channel text NOT NULL,
  notified_at timestamptz NOT NULL,
  PRIMARY KEY (alert_id, step)
);
