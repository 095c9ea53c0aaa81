-- Incident details kept by the Slack bot (src/incidents). `status` (base table) stays
-- open/resolved for the service; `phase` is investigating → mitigated → resolved.
ALTER TABLE incidents
  ADD COLUMN phase text NOT NULL DEFAULT 'investigating',
  ADD COLUMN slo_ids jsonb NOT NULL DEFAULT '[]',
  ADD COLUMN alert_id bigint,
  ADD COLUMN opened_by jsonb,
  ADD COLUMN commander jsonb,
  ADD COLUMN started_at timestamptz,
  ADD COLUMN detected_at timestamptz,
  ADD COLUMN acknowledged_at timestamptz,
  ADD COLUMN mitigated_at timestamptz,
  ADD COLUMN resolution_summary text,
  ADD COLUMN usergroup text,
  -- the Slack channel: created by the outbox worker; attempt counts name_taken retries
  ADD COLUMN channel_id text,
  ADD COLUMN channel_name text,
  ADD COLUMN channel_attempt integer NOT NULL DEFAULT 1,
  ADD COLUMN members_invited boolean NOT NULL DEFAULT false,
  ADD COLUMN budget_at_start double precision,
  ADD COLUMN budget_at_end double precision;
CREATE UNIQUE INDEX incidents_channel_id ON incidents (channel_id) WHERE channel_id IS NOT NULL;
