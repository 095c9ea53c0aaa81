// A loopback port nobody listens on right now, for a child server (Prometheus) that must be told
// its port. It can be taken between this probe and the child's bind: callers retry on EADDRINUSE.
import net from 'node:net';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
