// Plugs the web console into `burnwatch serve`: its pages at /, /slos/…, /incidents…,
// /runbooks/…, /login, on the service's own port.
import type { ServiceContext } from '../app/start-service.ts';
import { formatProblem } from '../service/slo-catalog.ts';
import { Access } from './access.ts';
import { consoleRouter } from './console-routes.ts';

export function consoleExtension(ctx: ServiceContext): void {
  const c = ctx.config.console;
  const access = new Access({
    apiToken: ctx.config.apiToken,
    publicRead: c.publicRead,
    trustedProxies: c.trustedProxies,
    secureCookies: c.publicUrl?.startsWith('https:') ?? false,
    now: () => ctx.clock.now(),
  });
  if (access.locked) ctx.logger.warn('the console is locked: set BURNWATCH_API_TOKEN (sign in with it), BURNWATCH_TRUSTED_PROXIES or BURNWATCH_PUBLIC_READ=true');
  ctx.http.mount(
    '/',
    consoleRouter({
      db: ctx.db,
      clock: ctx.clock,
      logger: ctx.logger.child({ component: 'console' }),
      access,
      slos: ctx.slos,
      sources: () => ctx.specs().sources,
      problems: () => ctx.specs().problems.map(formatProblem),
      playbooksDir: ctx.config.playbooksDir,
    }),
  );
}
