-- Every notification is written here (in the transaction that decided it) before it
-- is sent, then delivered in order per channel, retried with backoff until delivered.
CREATE TABLE outbox (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  idempotency_key text NOT NULL UNIQUE,
  channel text NOT NULL,
  kind text NOT NULL,
  payload jsonb NOT NULL,
  created_at timestamptz NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL,
  delivered_at timestamptz,
  -- set when a notifier says the failure is permanent: the channel moves on.
  failed_at timestamptz,
  last_error text,
  -- what the notifier returned (e.g. a Slack message ts, to thread replies)
  result jsonb
);
CREATE INDEX outbox_pending ON outbox (channel, id) WHERE delivered_at IS NULL AND failed_at IS NULL;
