// Slack's Socket Mode at the wire level, served on the Web API fake's port. apps.connections.open
// (with an app-level xapp- token) hands out a single-use ws://127.0.0.1:PORT/link/?ticket=… URL;
// a WebSocket there gets Slack's `hello`, then envelopes {envelope_id, type, payload,
// accepts_response_payload} of type slash_commands, interactive or events_api, which the app
// acks by sending back {envelope_id, payload?}. `disconnect(reason)` sends Slack's
// {type: "disconnect", reason} (e.g. refresh_requested): the app is expected to close and
// connect again with a fresh URL. Every connection, frame and ack is recorded.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';

export type EnvelopeType = 'slash_commands' | 'interactive' | 'events_api';

export interface Ack {
  envelope_id: string;
  payload?: Record<string, unknown>;
}

export interface SocketConnection {
  id: number;
  socket: WebSocket;
  /** Frames the app sent (parsed JSON). */
  received: unknown[];
  closed: boolean;
}

const ACK_TIMEOUT_MS = 30_000;

export class FakeSocketMode {
  readonly connections: SocketConnection[] = [];
  readonly acks: Ack[] = [];
  /** App-level tokens apps.connections.open accepts. */
  readonly appTokens = new Set<string>(['xapp-test']);
  readonly #tickets = new Set<string>();
  readonly #server = new WebSocketServer({ noServer: true });
  readonly #waiting = new Map<string, (ack: Ack) => void>();
  readonly #appId: string;

  constructor(appId: string) {
    this.#appId = appId;
  }

  /** The answer of apps.connections.open: a URL with a ticket that opens one connection. */
  open(origin: string): Record<string, unknown> {
    const ticket = randomUUID();
    this.#tickets.add(ticket);
    return { ok: true, url: `${origin.replace(/^http/, 'ws')}/link/?ticket=${ticket}&app_id=${this.#appId}` };
  }

  /** An HTTP upgrade on the fake's port: accepted for a fresh ticket, refused otherwise. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const ticket = url.searchParams.get('ticket') ?? '';
    if (url.pathname !== '/link/' || !this.#tickets.delete(ticket)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      return;
    }
    this.#server.handleUpgrade(req, socket, head, (ws) => this.#accept(ws));
  }

  #accept(socket: WebSocket): void {
    const connection: SocketConnection = { id: this.connections.length + 1, socket, received: [], closed: false };
    this.connections.push(connection);
    socket.on('message', (data: Buffer) => {
      let frame: unknown;
      try {
        frame = JSON.parse(data.toString('utf8'));
      } catch {
        frame = { unparsable: data.toString('utf8') };
      }
      connection.received.push(frame);
      const ack = frame as Ack;
      if (typeof ack.envelope_id === 'string') {
        this.acks.push(ack);
        this.#waiting.get(ack.envelope_id)?.(ack);
        this.#waiting.delete(ack.envelope_id);
      }
    });
    socket.on('close', () => {
      connection.closed = true;
    });
    socket.send(
      JSON.stringify({
        type: 'hello',
        num_connections: this.active.length,
        debug_info: { host: 'applink-fake', build_number: 1, approximate_connection_time: 18060 },
        connection_info: { app_id: this.#appId },
      }),
    );
  }

  /** Open connections, oldest first. */
  get active(): SocketConnection[] {
    return this.connections.filter((c) => !c.closed && c.socket.readyState === WebSocket.OPEN);
  }

  /** Sends an envelope over the newest open connection; resolves with the app's ack. */
  send(type: EnvelopeType, payload: Record<string, unknown>, opts: { acceptsResponsePayload?: boolean } = {}): Promise<Ack> {
    const connection = this.active.at(-1);
    if (!connection) return Promise.reject(new Error('no open Socket Mode connection'));
    const envelopeId = randomUUID();
    const acked = new Promise<Ack>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(envelopeId);
        reject(new Error(`no ack for ${type} envelope ${envelopeId} within ${ACK_TIMEOUT_MS} ms`));
      }, ACK_TIMEOUT_MS);
      this.#waiting.set(envelopeId, (ack) => {
        clearTimeout(timer);
        resolve(ack);
      });
    });
    const acceptsResponsePayload = opts.acceptsResponsePayload ?? type !== 'events_api';
    connection.socket.send(JSON.stringify({ envelope_id: envelopeId, type, payload, accepts_response_payload: acceptsResponsePayload }));
    return acked;
  }

  /** Slack's disconnect message on every open connection (the app closes and reconnects). */
  disconnect(reason: 'refresh_requested' | 'warning' | 'link_disabled'): void {
    for (const c of this.active) c.socket.send(JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'applink-fake' } }));
  }

  close(): void {
    for (const c of this.connections) c.socket.terminate();
    this.#server.close();
  }
}
