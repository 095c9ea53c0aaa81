// The floor for Slack acknowledgement latency: a bare Node HTTP server that does only what any
// Slack receiver must (read the body, check the v0 HMAC signature and timestamp) and answers 200.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';

const secret = process.env.SLACK_SIGNING_SECRET!;
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    const ts = String(req.headers['x-slack-request-timestamp']);
    const expected = Buffer.from(`v0=${createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex')}`);
    const given = Buffer.from(String(req.headers['x-slack-signature']));
    const fresh = Math.abs(Date.now() / 1000 - Number(ts)) < 300;
    res.statusCode = fresh && given.length === expected.length && timingSafeEqual(given, expected) ? 200 : 401;
    res.end();
  });
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address() as import('node:net').AddressInfo;
  console.log(JSON.stringify({ msg: 'burnwatch listening on', url: `http://127.0.0.1:${address.port}` }));
});
