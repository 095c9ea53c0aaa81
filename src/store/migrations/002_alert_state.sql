-- Alert state per SLO and tier, restored after a restart so that a firing alert
-- stays firing and nothing is re-sent. `tier` is the tier's key (e.g. "page:1h/5m")
-- or a pseudo-tier such as "no_data"; `details` holds what the state machine keeps.
CREATE TABLE alert_state (
  slo_id text NOT NULL,
  tier text NOT NULL,
  state text NOT NULL,
  since timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  details jsonb NOT NULL DEFAULT '{}',
  PRIMARY KEY (slo_id, tier)
);
