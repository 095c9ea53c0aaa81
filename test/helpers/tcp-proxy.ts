// A TCP proxy of the test's own between a replica and PostgreSQL, to cut the network
// the ways it fails for real:
//   - partition(): silent — nothing is forwarded either way and nothing is closed (bytes
//     wait in the proxy, as packets wait for a retransmission); new connections are
//     accepted and left hanging. heal() forwards everything again.
//   - closeAll(): every connection is reset, as when a NAT or load balancer drops them.
import net from 'node:net';

export interface TcpProxy {
  port: number;
  /** postgres://… with host and port replaced by the proxy's. */
  url(target: string): string;
  partition(): void;
  heal(): void;
  closeAll(): void;
  close(): Promise<void>;
}

interface Pair {
  /** A close seen during a partition reaches the other side only when it heals. */
  closing: boolean;
  client: net.Socket;
  upstream: net.Socket | undefined;
  /** Bytes held while partitioned, per direction. */
  toUpstream: Buffer[];
  toClient: Buffer[];
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let silent = false;
  const pairs = new Set<Pair>();

  const connectUpstream = (pair: Pair) => {
    const upstream = net.connect(target.port, target.host);
    pair.upstream = upstream;
    upstream.on('data', (chunk: Buffer) => {
      if (silent) pair.toClient.push(chunk);
      else pair.client.write(chunk);
    });
    const closed = () => {
      if (silent) pair.closing = true;
      else pair.client.destroy();
    };
    upstream.on('error', closed);
    upstream.on('close', closed);
    for (const chunk of pair.toUpstream.splice(0)) upstream.write(chunk);
  };

  const server = net.createServer((client) => {
    const pair: Pair = { closing: false, client, upstream: undefined, toUpstream: [], toClient: [] };
    pairs.add(pair);
    client.on('data', (chunk: Buffer) => {
      if (silent || !pair.upstream) pair.toUpstream.push(chunk);
      else pair.upstream.write(chunk);
    });
    const closed = () => {
      if (silent) pair.closing = true;
      else {
        pair.upstream?.destroy();
        pairs.delete(pair);
      }
    };
    client.on('error', closed);
    client.on('close', closed);
    // A connection made during a partition hangs until it heals.
    if (!silent) connectUpstream(pair);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;

  return {
    port,
    url: (t) => {
      const u = new URL(t);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    partition: () => {
      silent = true;
    },
    heal: () => {
      silent = false;
      for (const pair of [...pairs]) {
        if (pair.closing) {
          // What was sent before the close still arrives, then the close.
          if (pair.upstream && !pair.upstream.destroyed) pair.upstream.end(Buffer.concat(pair.toUpstream.splice(0)));
          if (!pair.client.destroyed) pair.client.end(Buffer.concat(pair.toClient.splice(0)));
          pairs.delete(pair);
        } else if (!pair.upstream) connectUpstream(pair);
        else {
          for (const chunk of pair.toUpstream.splice(0)) pair.upstream.write(chunk);
          for (const chunk of pair.toClient.splice(0)) pair.client.write(chunk);
        }
      }
    },
    closeAll: () => {
      for (const pair of pairs) {
        pair.client.resetAndDestroy();
        pair.upstream?.resetAndDestroy();
      }
    },
    close: () =>
      new Promise((resolve) => {
        for (const pair of pairs) {
          pair.client.destroy();
          pair.upstream?.destroy();
        }
        server.close(() => resolve());
      }),
  };
}
