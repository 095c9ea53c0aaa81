// Plugs the web console into `burnwatch serve`: its pages at /, /slos/…, /incidents…,
// /runbooks/…, /login, on the service's own port.
import type { Logger } from 'pino';
import type { Router } from 'express';
import type { Clock } from '../domain/clock.ts';
import type { Slo } from '../domain/slo.ts';
import type { Config } from '../service/config.ts';
import { formatProblem, type LoadedSpecs } from '../service/slo-catalog.ts';
import type { Db } from '../store/db.ts';
import { Access } from './access.ts';
import { consoleRouter } from './console-routes.ts';

/** What the console needs of the running service (src/app's ServiceContext has all of it). */
export interface ConsoleHost {
  config: Pick<Config, 'apiToken' | 'console' | 'playbooksDir'>;
  db: Db;
  clock: Clock;
  logger: Logger;
  http: { mount(path: string, router: Router): void };
  slos: () => readonly Slo[];
  specs: () => LoadedSpecs;
}

export function consoleExtension(ctx: ConsoleHost): void {
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
