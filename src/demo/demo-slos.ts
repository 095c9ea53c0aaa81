// The demo's SLO files: the recommendation platform's SLOs over the demo telemetry,
// written in burnwatch's YAML and loaded by the same loader as the service's. The telemetry
// is an SQLite file with times in epoch milliseconds (the SQL contract on SQLite).

const bucket = (column: string) => `(${column} / (@bucket_seconds * 1000)) * (@bucket_seconds * 1000)`;

export function demoSloFiles(telemetryUrl: string, playbooks: string): Record<string, string> {
  const datasource = `apiVersion: burnwatch/v1
kind: DataSource
metadata: { name: telemetry }
spec:
  postgres: { url: "${telemetryUrl}" }
`;
  const ranking = `apiVersion: burnwatch/v1
kind: SLO
metadata: { name: ranking-latency, service: hstu-ranker, owner: recs-serving }
spec:
  description: 99% of ranking requests answer within 150 ms
  objective: 99
  window: 28d
  source: telemetry
  indicator:
    ratio:
      good:
        sql: &ranking_fast |
          SELECT ${bucket('ts')} AS ts, SUM(fast) AS good, SUM(requests) AS total
          FROM ranking_minutes WHERE ts >= @start AND ts < @end GROUP BY 1
      total:
        sql: *ranking_fast
  alerting:
    channel: "#recs-oncall"
    runbook: ${playbooks}/ranking-latency.md
    postmortemTemplate: ${playbooks}/postmortem.md.hbs
  remediation:
    rollback: { kind: Deployment, namespace: recs, name: hstu-ranker }
---
apiVersion: burnwatch/v1
kind: SLO
metadata: { name: ranking-availability, service: hstu-ranker, owner: recs-serving }
spec:
  description: 99.9% of ranking requests succeed
  objective: 99.9
  window: 28d
  source: telemetry
  indicator:
    ratio:
      good:
        sql: &ranking_ok |
          SELECT ${bucket('ts')} AS ts, SUM(requests - errors) AS good, SUM(requests) AS total
          FROM ranking_minutes WHERE ts >= @start AND ts < @end GROUP BY 1
      total:
        sql: *ranking_ok
  alerting:
    channel: "#recs-oncall"
    runbook: ${playbooks}/ranking-availability.md
    postmortemTemplate: ${playbooks}/postmortem.md.hbs
---
apiVersion: burnwatch/v1
kind: SLO
metadata: { name: model-freshness, service: hstu-ranker, owner: recs-ml }
spec:
  description: the served ranking model is at most 6 hours old, 99% of the time
  objective: 99
  window: 28d
  source: telemetry
  timeslice: 1m
  indicator:
    freshness:
      query:
        sql: |
          SELECT MAX(deployed_at) AS last_update FROM model_deployments
          WHERE model = 'hstu-ranker' AND deployed_at < @end
      maxAge: 6h
  alerting:
    channel: "#recs-oncall"
    runbook: ${playbooks}/model-freshness.md
    postmortemTemplate: ${playbooks}/postmortem.md.hbs
`;
  const training = `apiVersion: burnwatch/v1
kind: SLO
metadata: { name: hstu-throughput, service: training, owner: recs-ml }
spec:
  description: the streaming trainer processes at least 40k samples/s, 99% of the time
  objective: 99
  window: 28d
  source: telemetry
  timeslice: 1m
  indicator:
    throughput:
      query:
        sql: |
          SELECT ts, samples_per_second AS value FROM training_throughput
          WHERE ts >= @start AND ts < @end
      min: 40000
  alerting:
    channel: "#training-oncall"
    runbook: ${playbooks}/training-throughput.md
    postmortemTemplate: ${playbooks}/postmortem.md.hbs
`;
  return { 'datasources.yaml': datasource, 'hstu-ranker.yaml': ranking, 'training.yaml': training };
}
