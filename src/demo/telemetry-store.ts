// Writes the demo telemetry into a PostgreSQL database (the demo's embedded PGlite): the
// tables the demo SLOs query through the SQL source, as a warehouse would hold them.
import type { Db } from '../store/db.ts';
import type { Telemetry } from './telemetry.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS ranking_minutes (ts timestamptz PRIMARY KEY, requests integer NOT NULL, errors integer NOT NULL, fast integer NOT NULL);
CREATE TABLE IF NOT EXISTS model_deployments (model text NOT NULL, version text NOT NULL, deployed_at timestamptz NOT NULL);
CREATE TABLE IF NOT EXISTS training_throughput (ts timestamptz PRIMARY KEY, samples_per_second double precision NOT NULL);
TRUNCATE ranking_minutes, model_deployments, training_throughput;
`;

export async function writeTelemetry(db: Db, t: Telemetry): Promise<void> {
  await db.query(SCHEMA);
  // unnest() of arrays: one statement per table instead of ten thousand inserts.
  await db.query(
    'INSERT INTO ranking_minutes SELECT * FROM unnest($1::timestamptz[], $2::int[], $3::int[], $4::int[])',
    [t.ranking.map((r) => r.ts.toISOString()), t.ranking.map((r) => r.requests), t.ranking.map((r) => r.errors), t.ranking.map((r) => r.fast)],
  );
  await db.query('INSERT INTO model_deployments SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[])', [
    t.deployments.map((d) => d.model),
    t.deployments.map((d) => d.version),
    t.deployments.map((d) => d.deployedAt.toISOString()),
  ]);
  await db.query('INSERT INTO training_throughput SELECT * FROM unnest($1::timestamptz[], $2::float8[])', [
    t.training.map((r) => r.ts.toISOString()),
    t.training.map((r) => r.samplesPerSecond),
  ]);
}
