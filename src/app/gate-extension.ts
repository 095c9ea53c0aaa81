// Wires the deploy gate into the service: /api/gate behind the bearer token, or public
// when BURNWATCH_PUBLIC_READ is set (the gate only reads).
import { gateRouter } from '../gate/gate-route.ts';
import { requireBearer } from '../service/http/bearer-auth.ts';
import type { ServiceExtension } from './start-service.ts';

export const gateExtension: ServiceExtension = (ctx) => {
  const { gate, apiToken } = ctx.config;
  ctx.http.mount(
    '/api/gate',
    gateRouter({
      db: ctx.db,
      clock: ctx.clock,
      slos: ctx.slos,
      auth: gate.publicRead ? undefined : requireBearer(apiToken),
      maxAgeSeconds: gate.maxAgeSeconds,
      maxRatio: gate.maxRatio,
    }),
  );
};
