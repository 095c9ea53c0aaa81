-- Changes (deploys, model promotions, config pushes) to correlate burns with.
CREATE TABLE change_events (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at timestamptz NOT NULL,
  kind text NOT NULL,
  subject text NOT NULL,
  summary text NOT NULL,
  service text,
  actor text,
  labels jsonb NOT NULL DEFAULT '{}',
  received_at timestamptz NOT NULL
);
CREATE INDEX change_events_at ON change_events (at);
