-- The post-mortem draft of an incident (Markdown), re-rendered on request.
CREATE TABLE postmortems (
  incident_id bigint PRIMARY KEY REFERENCES incidents (id),
  markdown text NOT NULL,
  rendered_at timestamptz NOT NULL
);
