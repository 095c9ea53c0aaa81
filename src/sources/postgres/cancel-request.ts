// PostgreSQL's CancelRequest, what psql sends on Ctrl-C: a second connection carrying the
// backend's process id and secret key. It needs no login and no free connection slot, and
// goes through PgBouncer (which maps its own keys), unlike `pg_cancel_backend(pid)`.
// node-postgres 8 has no public API for it (its `Client#cancel` reads the deprecated
// `activeQuery` and leaves the second connection's errors unhandled).
import net from 'node:net';

/** The key a backend gives in BackendKeyData at start-up; node-postgres keeps it on the client. */
export interface BackendKey {
  host: string;
  port: number;
  processID: number;
  secretKey: number;
}

const CANCEL_REQUEST_CODE = 80877102; // 1234 << 16 | 5678, protocol 3

/** The key of a connected node-postgres client, or undefined before start-up finished. */
export function backendKeyOf(client: { host: string; port: number }): BackendKey | undefined {
  const { processID, secretKey } = client as unknown as { processID?: unknown; secretKey?: unknown };
  if (typeof processID !== 'number' || typeof secretKey !== 'number') return undefined;
  return { host: client.host, port: client.port, processID, secretKey };
}

/**
 * Sends the request and resolves once the server has closed the connection, that is once
 * the postmaster has signalled the backend. The server never answers; whether a statement
 * was running then is for the caller to learn from that statement's own result.
 */
export function sendCancelRequest(key: BackendKey, timeoutMs: number): Promise<void> {
  const message = Buffer.alloc(16);
  message.writeInt32BE(16, 0);
  message.writeInt32BE(CANCEL_REQUEST_CODE, 4);
  message.writeInt32BE(key.processID, 8);
  message.writeInt32BE(key.secretKey, 12);
  // A host starting with "/" is the directory of the server's Unix socket, as in libpq.
  const target = key.host.startsWith('/') ? { path: `${key.host}/.s.PGSQL.${key.port}` } : { host: key.host, port: key.port };
  return new Promise((resolve, reject) => {
    const socket = net.connect(target, () => socket.end(message));
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no answer to the cancel request within ${timeoutMs} ms`)));
    socket.on('error', reject);
    socket.on('close', (hadError) => {
      if (!hadError) resolve();
    });
  });
}
