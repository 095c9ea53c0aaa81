// Writes the demo telemetry into an SQLite file, as a warehouse would hold it: the tables the
// demo SLOs query through the SQL source (`sqlite://…`). Times are Unix epoch milliseconds, as
// in MLflow's own SQLite store, so the SLO queries follow the SQL contract on SQLite.
import { DatabaseSync } from 'node:sqlite';
import type { Telemetry } from './telemetry.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS ranking_minutes (ts integer PRIMARY KEY, requests integer NOT NULL, errors integer NOT NULL, fast integer NOT NULL);
CREATE TABLE IF NOT EXISTS model_deployments (model text NOT NULL, version text NOT NULL, deployed_at integer NOT NULL);
CREATE INDEX IF NOT EXISTS model_deployments_at ON model_deployments (model, deployed_at);
CREATE TABLE IF NOT EXISTS training_throughput (ts integer PRIMARY KEY, samples_per_second double precision NOT NULL);
DELETE FROM ranking_minutes; DELETE FROM model_deployments; DELETE FROM training_throughput;
`;

export function writeTelemetry(file: string, t: Telemetry): void {
  const db = new DatabaseSync(file);
  try {
    db.exec('PRAGMA journal_mode = WAL');
    db.exec(SCHEMA);
    db.exec('BEGIN');
    const ranking = db.prepare('INSERT INTO ranking_minutes VALUES (?, ?, ?, ?)');
    for (const r of t.ranking) ranking.run(BigInt(r.ts.getTime()), BigInt(r.requests), BigInt(r.errors), BigInt(r.fast));
    const deployments = db.prepare('INSERT INTO model_deployments VALUES (?, ?, ?)');
    for (const d of t.deployments) deployments.run(d.model, d.version, BigInt(d.deployedAt.getTime()));
    const training = db.prepare('INSERT INTO training_throughput VALUES (?, ?)');
    for (const r of t.training) training.run(BigInt(r.ts.getTime()), r.samplesPerSecond);
    db.exec('COMMIT');
  } finally {
    db.close();
  }
}
