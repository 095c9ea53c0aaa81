// Every test process refuses connections and DNS look-ups beyond loopback, so a
// misconfigured client (Google's metadata probe, a default OTLP exporter) fails
// loudly instead of reaching the network.
import dns from 'node:dns';
import net from 'node:net';

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+|localhost)$/i;

function refuse(what: string): never {
  throw new Error(`net-guard: refused ${what} (tests may only reach 127.0.0.1)`);
}

const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function guardedConnect(this: net.Socket, ...args: unknown[]) {
  const first = args[0];
  const opts = (typeof first === 'object' && first !== null && !Array.isArray(first) ? first : {}) as net.NetConnectOpts & {
    host?: string;
  };
  const host = typeof first === 'number' ? (typeof args[1] === 'string' ? args[1] : 'localhost') : opts.host;
  const isPath = typeof first === 'string' || ('path' in opts && opts.path !== undefined);
  if (!isPath && host !== undefined && !LOOPBACK.test(host)) refuse(`connect to ${host}`);
  return (connect as (...a: unknown[]) => net.Socket).apply(this, args);
} as typeof net.Socket.prototype.connect;

const lookup = dns.lookup;
(dns as { lookup: unknown }).lookup = function guardedLookup(hostname: string, ...rest: unknown[]) {
  if (!LOOPBACK.test(hostname)) refuse(`DNS look-up of ${hostname}`);
  return (lookup as (...a: unknown[]) => unknown)(hostname, ...rest);
};
const resolvePromises = dns.promises.lookup;
(dns.promises as { lookup: unknown }).lookup = (hostname: string, ...rest: unknown[]) => {
  if (!LOOPBACK.test(hostname)) return Promise.reject(new Error(`net-guard: refused DNS look-up of ${hostname}`));
  return (resolvePromises as (...a: unknown[]) => Promise<unknown>)(hostname, ...rest);
};
