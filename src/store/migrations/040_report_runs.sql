-- One row per weekly report generated for posting: claimed in the transaction that
-- queues its Slack messages, so a restart or a second replica never posts a week twice.
-- The report's data is kept so that a past week's figures can be shown as they were sent.
CREATE TABLE report_runs (
  period_label text PRIMARY KEY,
  period_start timestamptz NOT NULL,
  period_end timestamptz NOT NULL,
  generated_at timestamptz NOT NULL,
  teams integer NOT NULL,
  report jsonb NOT NULL
);
