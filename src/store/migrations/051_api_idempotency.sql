-- Answers of the lifecycle API by Idempotency-Key: a retried request gets the first answer
-- again instead of acting twice. The row is written in the request's own transaction.
CREATE TABLE api_idempotency (
  key text PRIMARY KEY,
  route text NOT NULL,
  status integer,
  body text,
  at timestamptz NOT NULL
);
