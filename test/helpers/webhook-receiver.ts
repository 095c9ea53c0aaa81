// A local webhook receiver that records every request and answers what the test scripts.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  headers: http.IncomingHttpHeaders;
  /** Date.now() when the request arrived. */
  receivedAt: number;
  body: string;
  json: Record<string, unknown>;
  status: number;
}

export interface WebhookReceiver {
  url: string;
  requests: ReceivedRequest[];
  /** Successful (2xx) deliveries. */
  accepted(): ReceivedRequest[];
  /** What to answer next: a status (and headers, and how long to take); default 200 at once. */
  respond(fn: (req: { json: Record<string, unknown> }) => Answer): void;
  close(): Promise<void>;
}

type Answer = { status: number; headers?: Record<string, string>; delayMs?: number };

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  let responder: (req: { json: Record<string, unknown> }) => Answer = () => ({ status: 200 });
  const requests: ReceivedRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    const receivedAt = Date.now();
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: Record<string, unknown> = {};
      try {
        json = JSON.parse(body);
      } catch {}
      const answer = responder({ json });
      const reply = () => {
        // Recorded when answered: a sender that gave up before the answer did not get this status.
        requests.push({ headers: req.headers, receivedAt, body, json, status: res.destroyed || req.socket.destroyed ? 0 : answer.status });
        if (res.destroyed || req.socket.destroyed) return;
        res.writeHead(answer.status, answer.headers ?? {});
        res.end();
      };
      if (answer.delayMs) setTimeout(reply, answer.delayMs);
      else reply();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    requests,
    accepted: () => requests.filter((r) => r.status >= 200 && r.status < 300),
    respond: (fn) => {
      responder = fn;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
