// A wire-level fake of Airflow's stable REST API (Airflow 2: /api/v1, Airflow 3: /api/v2):
// DAGs, DAG runs (trigger, get, list with state filter, order_by, limit/offset and
// total_entries), 409 on a duplicate dag_run_id, 401 on bad credentials, problem+json errors.
// Airflow 3 requires `logical_date` in the trigger body (null allowed): the v2 paths check it.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeDagRun {
  dag_run_id: string;
  dag_id: string;
  state: 'queued' | 'running' | 'success' | 'failed';
  conf: Record<string, unknown>;
  logical_date: string | null;
  start_date: string | null;
  end_date: string | null;
  run_type: 'manual' | 'scheduled';
}

export interface FakeAirflow {
  url: string;
  requests: Array<{ method: string; path: string; query: URLSearchParams; body: unknown; authorization: string | undefined }>;
  addDag(id: string, opts?: { paused?: boolean }): void;
  addRun(run: Partial<FakeDagRun> & { dag_id: string; dag_run_id: string }): void;
  run(dag: string, id: string): FakeDagRun | undefined;
  setState(dag: string, id: string, state: FakeDagRun['state'], at?: string): void;
  runs(dag: string): FakeDagRun[];
  close(): Promise<void>;
}

export interface FakeAirflowOptions {
  auth: { basic: { username: string; password: string } } | { token: string };
  /** Airflow's [api] maximum_page_limit: larger `limit`s are cut to it. */
  maxPageLimit?: number;
  now?: () => Date;
}

const problem = (status: number, title: string, detail: string) => ({ status, title, detail, type: `https://airflow.apache.org/docs/apache-airflow/stable/stable-rest-api-ref.html#section/Errors/${title.replace(/ /g, '')}` });

export async function startFakeAirflow(opts: FakeAirflowOptions): Promise<FakeAirflow> {
  const now = opts.now ?? (() => new Date());
  const maxPage = opts.maxPageLimit ?? 100;
  const dags = new Map<string, { paused: boolean }>();
  const runs = new Map<string, FakeDagRun[]>();
  const requests: FakeAirflow['requests'] = [];
  const expected = 'basic' in opts.auth ? `Basic ${Buffer.from(`${opts.auth.basic.username}:${opts.auth.basic.password}`).toString('base64')}` : `Bearer ${opts.auth.token}`;

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      let body: unknown;
      try {
        body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined;
      } catch {
        body = Symbol.for('invalid');
      }
      requests.push({ method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, body, authorization: req.headers.authorization });
      const send = (status: number, json: unknown) => {
        res.writeHead(status, { 'content-type': status >= 400 ? 'application/problem+json' : 'application/json' });
        res.end(JSON.stringify(json));
      };
      if (req.headers.authorization !== expected) return send(401, problem(401, 'Unauthorized', 'Not authenticated'));
      if (/^\/api\/(v1|v2)\/version$/.test(url.pathname)) return send(200, { version: url.pathname.includes('v2') ? '3.0.2' : '2.10.5', git_version: null });
      const m = /^\/api\/(v1|v2)\/dags\/([^/]+)(?:\/(dagRuns)(?:\/([^/]+))?)?$/.exec(url.pathname);
      if (!m) return send(404, problem(404, 'Not Found', `no route ${url.pathname}`));
      const [, version, rawDag, sub, rawRun] = m;
      const dag = decodeURIComponent(rawDag!);
      const info = dags.get(dag);
      if (!info) return send(404, problem(404, 'DAG not found', `DAG with dag_id: '${dag}' not found`));
      const list = runs.get(dag) ?? [];
      if (!sub && req.method === 'GET') return send(200, { dag_id: dag, is_paused: info.paused, is_active: true });
      if (sub && rawRun && req.method === 'GET') {
        const run = list.find((r) => r.dag_run_id === decodeURIComponent(rawRun));
        return run ? send(200, run) : send(404, problem(404, 'DAGRun not found', `DAGRun with DAG ID: '${dag}' and DagRun ID: '${decodeURIComponent(rawRun)}' not found`));
      }
      if (sub && !rawRun && req.method === 'GET') {
        const states = url.searchParams.getAll('state');
        const order = url.searchParams.get('order_by') ?? 'id';
        const field = order.replace(/^-/, '');
        if (!['id', 'end_date', 'start_date', 'logical_date', 'execution_date', 'dag_run_id'].includes(field)) return send(400, problem(400, 'Bad Request', `Ordering with '${order}' is disallowed`));
        const endGte = url.searchParams.get('end_date_gte');
        const endLte = url.searchParams.get('end_date_lte');
        let out = list.filter(
          (r) =>
            (states.length === 0 || states.includes(r.state)) &&
            (!endGte || (r.end_date !== null && Date.parse(r.end_date) >= Date.parse(endGte))) &&
            (!endLte || (r.end_date !== null && Date.parse(r.end_date) <= Date.parse(endLte))),
        );
        if (field !== 'id') {
          const key = (field === 'execution_date' ? 'logical_date' : field) as keyof FakeDagRun;
          out = [...out].sort((a, b) => String(a[key] ?? '').localeCompare(String(b[key] ?? '')));
        }
        if (order.startsWith('-')) out = [...out].reverse();
        const limit = Math.min(Number(url.searchParams.get('limit') ?? 100), maxPage);
        const offset = Number(url.searchParams.get('offset') ?? 0);
        return send(200, { dag_runs: out.slice(offset, offset + limit), total_entries: out.length });
      }
      if (sub && !rawRun && req.method === 'POST') {
        if (typeof body !== 'object' || body === null) return send(400, problem(400, 'Bad Request', 'expected a JSON body'));
        const b = body as Record<string, unknown>;
        if (version === 'v2' && !('logical_date' in b)) return send(422, { detail: [{ type: 'missing', loc: ['body', 'logical_date'], msg: 'Field required' }] });
        const id = typeof b.dag_run_id === 'string' ? b.dag_run_id : `manual__${now().toISOString()}`;
        if (list.some((r) => r.dag_run_id === id)) return send(409, problem(409, 'Conflict', `DAGRun with DAG ID: '${dag}' and DAGRun ID: '${id}' already exists`));
        const run: FakeDagRun = { dag_run_id: id, dag_id: dag, state: 'queued', conf: (b.conf as Record<string, unknown>) ?? {}, logical_date: (b.logical_date as string | null) ?? null, start_date: null, end_date: null, run_type: 'manual' };
        runs.set(dag, [...list, run]);
        return send(200, run);
      }
      return send(405, problem(405, 'Method Not Allowed', `${req.method} ${url.pathname}`));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    addDag: (id, o = {}) => void dags.set(id, { paused: o.paused ?? false }),
    addRun: (r) => {
      const run: FakeDagRun = { state: 'success', conf: {}, logical_date: null, start_date: null, end_date: null, run_type: 'scheduled', ...r };
      runs.set(r.dag_id, [...(runs.get(r.dag_id) ?? []), run]);
    },
    run: (dag, id) => runs.get(dag)?.find((r) => r.dag_run_id === id),
    setState: (dag, id, state, at = now().toISOString()) => {
      const run = runs.get(dag)?.find((r) => r.dag_run_id === id);
      if (!run) throw new Error(`no run ${dag}/${id}`);
      run.state = state;
      if (state === 'running') run.start_date = at;
      if (state === 'success' || state === 'failed') run.end_date = at;
    },
    runs: (dag) => runs.get(dag) ?? [],
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
