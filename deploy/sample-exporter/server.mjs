// A small exporter of recommendation-platform metrics for the docker-compose demo:
// the ranker's latency histogram and request counts, the model's last successful
// deploy, and the daily training job's throughput. No dependencies.
//
// Inject a fault with FAULT=<mode> at start, or at run time:
//   curl -X POST 'http://localhost:9400/fault?mode=errors'     (5xx burst)
//   modes: none | errors | latency | stale-model | training-stall
import http from 'node:http';

const MODES = new Set(['none', 'errors', 'latency', 'stale-model', 'training-stall']);
let fault = 'none';
const port = Number(process.env.PORT ?? 9400);
const RPS = Number(process.env.RPS ?? 200);

const BUCKETS = [0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1, 2.5];
const hist = { buckets: new Array(BUCKETS.length).fill(0), count: 0, sum: 0 };
const requests = new Map([['200', 0], ['500', 0], ['503', 0]]);
let lastDeploy = Date.now() / 1000 - 3600;
let samples = 0;
let trainingActive = 1;
setFault(MODES.has(process.env.FAULT ?? 'none') ? (process.env.FAULT ?? 'none') : 'none');

// Log-normal latencies around 60 ms, about 0.4 % above the 150 ms SLO threshold (a budget of 1 %);
// "latency" moves the median to ~220 ms.
function latency() {
  const median = fault === 'latency' ? 0.22 : 0.06;
  const u = Math.random() || 1e-9;
  return median * Math.exp(0.35 * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * Math.random()));
}

// "stale-model": the deploy pipeline has been stuck since yesterday (the freshness SLO allows 26 h),
// so the fault shows at once instead of a day later.
function setFault(mode) {
  fault = mode;
  if (fault === 'stale-model') lastDeploy = Date.now() / 1000 - 27 * 3600;
}

setInterval(() => {
  for (let i = 0; i < RPS; i++) {
    const d = latency();
    hist.count++;
    hist.sum += d;
    BUCKETS.forEach((le, j) => {
      if (d <= le) hist.buckets[j]++;
    });
    const errorRate = fault === 'errors' ? 0.2 : 0.0002;
    const code = Math.random() < errorRate ? (Math.random() < 0.5 ? '500' : '503') : '200';
    requests.set(code, requests.get(code) + 1);
  }
  if (fault !== 'training-stall') samples += trainingActive ? 80_000 : 0;
  // A healthy pipeline redeploys the model every 6 hours (compressed: every 6 minutes here).
  if (fault !== 'stale-model' && Date.now() / 1000 - lastDeploy > 360) lastDeploy = Date.now() / 1000;
}, 1000).unref();

function metrics() {
  const route = 'route="/rank"';
  const lines = [
    '# HELP ranker_request_duration_seconds Ranking request latency.',
    '# TYPE ranker_request_duration_seconds histogram',
    ...BUCKETS.map((le, j) => `ranker_request_duration_seconds_bucket{${route},le="${le}"} ${hist.buckets[j]}`),
    `ranker_request_duration_seconds_bucket{${route},le="+Inf"} ${hist.count}`,
    `ranker_request_duration_seconds_sum{${route}} ${hist.sum}`,
    `ranker_request_duration_seconds_count{${route}} ${hist.count}`,
    '# HELP ranker_requests_total Ranking requests by status code.',
    '# TYPE ranker_requests_total counter',
    ...[...requests].map(([code, n]) => `ranker_requests_total{${route},code="${code}"} ${n}`),
    '# HELP model_last_deploy_success_timestamp_seconds When the model was last deployed successfully.',
    '# TYPE model_last_deploy_success_timestamp_seconds gauge',
    `model_last_deploy_success_timestamp_seconds{model="hstu-ranker"} ${lastDeploy}`,
    '# HELP training_samples_processed_total Training samples processed.',
    '# TYPE training_samples_processed_total counter',
    `training_samples_processed_total{job="hstu-ranker-daily"} ${samples}`,
    '# HELP training_job_active 1 while the training job runs.',
    '# TYPE training_job_active gauge',
    `training_job_active{job="hstu-ranker-daily"} ${trainingActive}`,
    '# HELP sample_exporter_fault The injected fault (1 for the active mode).',
    '# TYPE sample_exporter_fault gauge',
    ...[...MODES].map((m) => `sample_exporter_fault{mode="${m}"} ${m === fault ? 1 : 0}`),
  ];
  return `${lines.join('\n')}\n`;
}

http
  .createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(metrics());
    } else if (url.pathname === '/fault' && req.method === 'POST') {
      const mode = url.searchParams.get('mode') ?? 'none';
      if (!MODES.has(mode)) return res.writeHead(400).end(`unknown mode ${mode}; one of ${[...MODES].join(', ')}\n`);
      setFault(mode);
      console.log(JSON.stringify({ msg: 'fault injected', mode }));
      res.writeHead(200).end(`fault: ${fault}\n`);
    } else if (url.pathname === '/fault') {
      res.writeHead(200).end(`fault: ${fault}\n`);
    } else {
      res.writeHead(404).end();
    }
  })
  .listen(port, () => console.log(JSON.stringify({ msg: 'sample exporter listening', port, fault })));
