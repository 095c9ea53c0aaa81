// A wire-level fake of the Opsgenie Alert API v2 on loopback: GenieKey authentication (401
// otherwise), create (`POST /v2/alerts`, 202 {result, took, requestId}; 422 when `message` is
// missing or too long), deduplication by `alias` (a create for an open alias counts a repeat,
// as Opsgenie does), acknowledge and close by alias or id, and scripted 429/5xx answers.
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FaultSchedule } from './pager-fault-schedule.ts';

export interface OgAlert {
  id: string;
  alias: string;
  message: string;
  status: 'open' | 'closed';
  acknowledged: boolean;
  count: number;
  priority: string;
  responders: unknown[];
  details: Record<string, string>;
  apiKey: string;
}

export interface FakeOpsgenie {
  url: string;
  faults: FaultSchedule;
  requests: Array<{ method: string; path: string; body: Record<string, unknown>; status: number }>;
  alerts: OgAlert[];
  addApiKey(key: string): void;
  close(): Promise<void>;
}

export async function startFakeOpsgenie(): Promise<FakeOpsgenie> {
  const keys = new Set<string>();
  const faults = new FaultSchedule();
  const requests: FakeOpsgenie['requests'] = [];
  const alerts: OgAlert[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      let body: Record<string, unknown> = {};
      try {
        body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
      } catch {}
      const requestId = randomUUID();
      const send = (status: number, json: Record<string, unknown>, headers: Record<string, string> = {}) => {
        requests.push({ method: req.method ?? '', path: url.pathname + url.search, body, status });
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify({ ...json, took: 0.01, requestId }));
      };
      const key = /^GenieKey (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (!key || !keys.has(key)) return send(401, { message: 'Could not authenticate' });
      const fault = faults.take();
      if (fault) return send(fault.status, { message: fault.status === 429 ? 'Too many requests' : 'Internal Server Error' }, fault.retryAfter ? { 'retry-after': fault.retryAfter } : {});
      if (req.method === 'POST' && url.pathname === '/v2/alerts') {
        const message = typeof body.message === 'string' ? body.message : '';
        if (!message) return send(422, { message: 'Request body is not processable. Please check the errors.', errors: { message: 'Message can not be empty.' } });
        if (message.length > 130) return send(422, { message: 'Request body is not processable. Please check the errors.', errors: { message: 'Message can not be longer than 130 characters.' } });
        const alias = typeof body.alias === 'string' ? body.alias : randomUUID();
        const open = alerts.find((a) => a.alias === alias && a.status === 'open' && a.apiKey === key);
        if (open) open.count++;
        else
          alerts.push({
            id: randomUUID(),
            alias,
            message,
            status: 'open',
            acknowledged: false,
            count: 1,
            priority: String(body.priority ?? 'P3'),
            responders: (body.responders as unknown[]) ?? [],
            details: (body.details as Record<string, string>) ?? {},
            apiKey: key,
          });
        return send(202, { result: 'Request will be processed' });
      }
      const m = /^\/v2\/alerts\/([^/]+)\/(acknowledge|close)$/.exec(url.pathname);
      if (req.method === 'POST' && m) {
        const id = decodeURIComponent(m[1] as string);
        const byAlias = url.searchParams.get('identifierType') === 'alias';
        // Opsgenie accepts the request (202) and processes it later, matching the open alert if any.
        const alert = alerts.find((a) => (byAlias ? a.alias === id : a.id === id) && a.status === 'open' && a.apiKey === key);
        if (alert && m[2] === 'acknowledge') alert.acknowledged = true;
        if (alert && m[2] === 'close') alert.status = 'closed';
        return send(202, { result: 'Request will be processed' });
      }
      send(404, { message: 'Not found' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    faults,
    requests,
    alerts,
    addApiKey: (k) => keys.add(k),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
