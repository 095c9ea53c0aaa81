-- Every alert transition, click, action and status update of an incident, with time
-- and person (actor null: burnwatch). dedup_key makes replays (a retried outbox job,
-- a redelivered Slack event) add an entry once.
CREATE TABLE incident_timeline (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  incident_id bigint NOT NULL REFERENCES incidents (id),
  at timestamptz NOT NULL,
  kind text NOT NULL,
  actor jsonb,
  text text NOT NULL,
  details jsonb,
  dedup_key text UNIQUE
);
CREATE INDEX incident_timeline_incident ON incident_timeline (incident_id, at, id);
