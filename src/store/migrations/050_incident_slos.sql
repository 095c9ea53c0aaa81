-- The SLOs an incident affects, each with its own budget figures (src/lifecycle/incident-figures.ts):
-- budget remaining at the incident's impact start and at its end (the latest evaluation while it
-- is open). One row per incident and SLO; the primary SLO has position 0.
CREATE TABLE incident_slos (
  incident_id bigint NOT NULL REFERENCES incidents (id),
  slo_id text NOT NULL,
  position integer NOT NULL,
  budget_at_start double precision,
  budget_at_end double precision,
  PRIMARY KEY (incident_id, slo_id)
);
CREATE INDEX incident_slos_slo ON incident_slos (slo_id);
-- Incidents from before: their primary SLO with the budgets they kept.
INSERT INTO incident_slos (incident_id, slo_id, position, budget_at_start, budget_at_end)
  SELECT id, slo_id, 0, budget_at_start, budget_at_end FROM incidents WHERE slo_id IS NOT NULL;
