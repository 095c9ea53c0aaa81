-- Deliveries of PagerDuty / Opsgenie webhooks already acted on, by the vendor's event id: a
-- replayed or retried delivery is answered 200 and changes nothing. Shared by every replica.
CREATE TABLE pager_webhook_events (
  event_id text PRIMARY KEY,
  source text NOT NULL,
  received_at timestamptz NOT NULL
);
