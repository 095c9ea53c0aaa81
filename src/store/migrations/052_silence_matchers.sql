-- Silences match by SLO (slo_id; '' for any), by service, or by labels (a JSON object of
-- label → value, all of which must match), like Alertmanager's. Set from Slack or the API.
ALTER TABLE silences ADD COLUMN service text;
ALTER TABLE silences ADD COLUMN labels text;
ALTER TABLE silences ADD COLUMN comment text;
