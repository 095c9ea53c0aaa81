// The few parts of the `ws` package (a dependency of @slack/socket-mode; it ships no types and
// @types/ws is not installed) that the Socket Mode fake uses.
declare module 'ws' {
  import type { EventEmitter } from 'node:events';
  import type { IncomingMessage } from 'node:http';
  import type { Duplex } from 'node:stream';

  export class WebSocket extends EventEmitter {
    static readonly OPEN: number;
    readonly readyState: number;
    send(data: string): void;
    close(code?: number, reason?: string): void;
    terminate(): void;
  }

  export class WebSocketServer extends EventEmitter {
    constructor(options: { noServer: true });
    handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, callback: (socket: WebSocket, req: IncomingMessage) => void): void;
    close(callback?: () => void): void;
  }
}
