-- Signed requests already accepted (Slack: the signature, and an event's event_id), kept
-- until their timestamp window has passed, so a captured request cannot be replayed on
-- any replica. Rows past expires_at are deleted as new ones arrive.
CREATE TABLE request_replays (
  key text PRIMARY KEY,                -- "slack-sig:v0=…" or "slack-event:Ev…"
  seen_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX request_replays_expires ON request_replays (expires_at);
