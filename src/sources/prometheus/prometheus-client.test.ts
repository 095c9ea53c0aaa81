// The client's failure handling, against a loopback HTTP server scripted to answer the way a
// Prometheus (or a proxy in front of it) does when things go wrong.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SourceError } from '../source-error.ts';
import { PrometheusClient } from './prometheus-client.ts';

type Reply = { status: number; body: unknown; delayMs?: number };
const ok = (value: string): Reply => ({ status: 200, body: { status: 'success', data: { resultType: 'vector', result: [{ metric: { a: 'b' }, value: [1, value] }] } } });

let server: http.Server | undefined;
const seen: Array<{ headers: http.IncomingHttpHeaders; body: string }> = [];
let inFlight = 0;
let peak = 0;

async function serve(replies: Reply[]): Promise<string> {
  seen.length = 0;
  inFlight = 0;
  peak = 0;
  let n = 0;
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      seen.push({ headers: req.headers, body });
      const reply = replies[Math.min(n++, replies.length - 1)]!;
      inFlight++;
      peak = Math.max(peak, inFlight);
      setTimeout(() => {
        inFlight--;
        res.writeHead(reply.status, { 'content-type': 'application/json' }).end(JSON.stringify(reply.body));
      }, reply.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
}

afterEach(async () => {
  const s = server;
  server = undefined;
  if (!s) return;
  s.closeAllConnections();
  await new Promise((resolve) => s.close(resolve));
});

const client = (url: string, extra: Partial<ConstructorParameters<typeof PrometheusClient>[0]> = {}) =>
  new PrometheusClient({ name: 'prom-eu', url, timeoutSeconds: 2, backoffMs: 1, ...extra });

describe('PrometheusClient', () => {
  it('posts the query and time with the configured headers and parses the vector', async () => {
    const url = await serve([ok('0.25')]);
    const samples = await client(url, { headers: { authorization: 'Bearer t0k', 'x-scope-orgid': 'ml' } }).query(
      'sum(up)',
      new Date('2026-11-20T10:00:00Z'),
    );
    expect(samples).toEqual([{ labels: { a: 'b' }, value: 0.25 }]);
    expect(seen[0]!.headers.authorization).toBe('Bearer t0k');
    expect(seen[0]!.headers['x-scope-orgid']).toBe('ml');
    expect(new URLSearchParams(seen[0]!.body).get('query')).toBe('sum(up)');
    expect(new URLSearchParams(seen[0]!.body).get('time')).toBe('1795168800.000');
  });

  it('sends user:password from the URL as Basic auth and keeps it out of error messages', async () => {
    const url = await serve([ok('1')]);
    const c = client(url.replace('http://', 'http://ml%40team:s3cr%3At@'), { retries: 0 });
    await c.query('up');
    expect(seen[0]!.headers.authorization).toBe(`Basic ${Buffer.from('ml@team:s3cr:t').toString('base64')}`);
    const s = server!;
    server = undefined;
    await new Promise((resolve) => s.close(resolve));
    const error = await c.query('up').catch((e) => e);
    expect(error.message).toMatch(/cannot reach http:\/\/127\.0\.0\.1:\d+:/);
    expect(error.message).not.toMatch(/s3cr/);
  });

  it('retries a 503 and succeeds', async () => {
    const url = await serve([{ status: 503, body: 'overloaded' }, { status: 502, body: 'bad gateway' }, ok('1')]);
    expect(await client(url, { retries: 2 }).query('up')).toEqual([{ labels: { a: 'b' }, value: 1 }]);
    expect(seen).toHaveLength(3);
  });

  it('gives up after the configured retries with an error naming source and query', async () => {
    const url = await serve([{ status: 503, body: { status: 'error', errorType: 'unavailable', error: 'shutting down' } }]);
    const error = await client(url, { retries: 1 }).query('sum(rate(x[5m]))').catch((e) => e);
    expect(seen).toHaveLength(2);
    expect(error).toBeInstanceOf(SourceError);
    expect(error).toMatchObject({ code: 'http_error', source: 'prom-eu', query: 'sum(rate(x[5m]))', retryable: true });
    expect(error.message).toMatch(/^prom-eu: HTTP 503: unavailable: shutting down \(query: sum\(rate\(x\[5m\]\)\)\)$/);
  });

  it('does not retry a 4xx', async () => {
    const url = await serve([{ status: 400, body: { status: 'error', errorType: 'bad_data', error: 'parse error' } }]);
    const error = await client(url, { retries: 3 }).query('sum(').catch((e) => e);
    expect(seen).toHaveLength(1);
    expect(error).toMatchObject({ code: 'bad_query', retryable: false });
    const auth = await serve([{ status: 401, body: 'unauthorized' }]);
    expect(await client(auth, { retries: 3 }).query('up').catch((e) => e)).toMatchObject({ code: 'auth' });
    expect(seen).toHaveLength(1);
  });

  it('retries network errors and then says the source is unreachable', async () => {
    const url = await serve([ok('1')]);
    const s = server!;
    server = undefined;
    await new Promise((resolve) => s.close(resolve));
    const error = await client(url, { retries: 2 }).query('up').catch((e) => e);
    expect(error).toMatchObject({ code: 'unreachable', retryable: true });
    expect(error.message).toMatch(/cannot reach http:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/);
  });

  it('times out a slow answer', async () => {
    const url = await serve([{ ...ok('1'), delayMs: 1500 }]);
    const error = await client(url, { timeoutSeconds: 0.2 }).query('up').catch((e) => e);
    expect(error).toMatchObject({ code: 'timeout' });
    expect(seen).toHaveLength(1);
  });

  it('keeps at most maxConcurrency queries in flight', async () => {
    const url = await serve([{ ...ok('1'), delayMs: 150 }]);
    const c = client(url, { maxConcurrency: 2 });
    await Promise.all(Array.from({ length: 6 }, () => c.query('up')));
    expect(seen).toHaveLength(6);
    expect(peak).toBe(2);
  });

  it('reads an instant vector: labels, and special floats as numbers', async () => {
    const vector = (result: unknown): Reply => ({ status: 200, body: { status: 'success', data: { resultType: 'vector', result } } });
    const good = await serve([vector([{ metric: { model: 'a' }, value: [1, '+Inf'] }, { metric: {}, value: [1, '2.5'] }])]);
    expect(await client(good).query('up')).toEqual([
      { labels: { model: 'a' }, value: Number.POSITIVE_INFINITY },
      { labels: {}, value: 2.5 },
    ]);
  });

  it('refuses an instant vector whose series are malformed', async () => {
    const vector = (result: unknown): Reply => ({ status: 200, body: { status: 'success', data: { resultType: 'vector', result } } });
    const malformed = [{ metric: { model: 1 }, value: [1, '1'] }, { metric: { model: 'a' }, value: [1, 1] }, { metric: { model: 'a' }, value: [1] }, { value: [1, '1'] }, null];
    const url = await serve(malformed.map((series) => vector([{ metric: {}, value: [1, '1'] }, series])));
    for (const _ of malformed) expect(await client(url).query('up').catch((e) => e)).toMatchObject({ code: 'bad_response' });
    expect(seen).toHaveLength(malformed.length);
  });

  it('rejects an answer that is not from a Prometheus API', async () => {
    const url = await serve([{ status: 200, body: '<html>login</html>' }]);
    expect(await client(url).query('up').catch((e) => e)).toMatchObject({ code: 'bad_response' });
  });
});
