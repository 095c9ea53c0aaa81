// The console's routes: pages rendered on the server from the store (any replica
// answers), static assets from this folder and the chart library from node_modules.
// Nothing is fetched from anywhere else; the Content-Security-Policy says so.
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import compression from 'compression';
import express, { type Request, type Response, type Router } from 'express';
import type { Logger } from 'pino';
import type { Clock } from '../domain/clock.ts';
import { parseDuration } from '../domain/duration.ts';
import type { DataSourceSpec, Slo } from '../domain/slo.ts';
import type { Db } from '../store/db.ts';
import { listChangeEvents } from '../store/repositories/change-events.ts';
import { actionsBetween, alertEpisodesBetween } from '../store/repositories/console-reads.ts';
import { evaluationSeries, latestEvaluationOf } from '../store/repositories/evaluation-series.ts';
import { latestEvaluations } from '../store/repositories/evaluations.ts';
import { type Access, safeNext } from './access.ts';
import { incidentPage, incidentRows } from './incident-model.ts';
import { incidentDetail, incidentsOfSlo, recentIncidents } from './incident-reads.ts';
import { buildOverview, type OverviewFilters } from './overview-model.ts';
import { runbookHref } from '../spec/runbooks.ts';
import { pickRange, sloPage } from './slo-model.ts';
import { STATUS_LABEL, STATUS_ORDER, type ConsoleStatus } from './status.ts';
import { type LayoutOptions, type PageName, renderPage, scriptJson } from './templates.ts';

export interface ConsoleDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  access: Access;
  slos: () => readonly Slo[];
  sources: () => readonly DataSourceSpec[];
  problems: () => readonly string[];
  playbooksDir: string;
  /** How often the overview refreshes itself. */
  refreshSeconds?: number;
  /** Points per chart series (the store downsamples to this many). */
  chartPoints?: number;
}

export const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

const ASSETS = fileURLToPath(new URL('./assets/', import.meta.url));
// marked + sanitize-html (with postcss and htmlparser2: about 80 modules, 9 MB) only for the pages
// that render Markdown, on their first request, not at every start.
const markdown = () => import('./markdown.ts');
const UPLOT_DIST = path.dirname(createRequire(import.meta.url).resolve('uplot'));

function securityHeaders(_req: Request, res: Response, next: () => void): void {
  res.set({
    'content-security-policy': CSP,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'same-origin',
    'x-frame-options': 'DENY',
    'cross-origin-opener-policy': 'same-origin',
  });
  next();
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim().slice(0, 200) : undefined);

export function consoleRouter(deps: ConsoleDeps): Router {
  const router = express.Router();
  const { access } = deps;
  const refreshSeconds = deps.refreshSeconds ?? 30;
  // Scoped to the console's own paths: /api/*, /metrics and /slack/* pass through untouched.
  const compress = compression();
  router.use(['/assets', '/login', '/logout', '/slos', '/incidents', '/runbooks'], securityHeaders, compress);
  router.get('/', securityHeaders, compress);
  router.use('/assets/vendor', express.static(UPLOT_DIST, { index: false, maxAge: '1d', fallthrough: false }));
  router.use('/assets', express.static(ASSETS, { index: false, maxAge: '1h', fallthrough: false }));

  const send = (_req: Request, res: Response, page: PageName, data: Record<string, unknown>, opts: LayoutOptions, status = 200) => {
    const viewer = res.locals.viewer as { name: string; via: string } | undefined;
    res
      .status(status)
      .type('html')
      .set('cache-control', 'no-store')
      .send(renderPage(page, data, { ...opts, user: viewer?.name || undefined, canSignOut: viewer?.via === 'session' }));
  };

  router.get('/login', (req, res) => {
    if (access.viewer(req)) {
      res.redirect(303, safeNext(req.query.next));
      return;
    }
    send(req, res, 'login', { locked: access.locked || !access.tokenLogin, next: safeNext(req.query.next) }, { title: 'Sign in' });
  });
  router.post('/login', express.urlencoded({ extended: false, limit: '8kb' }), (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const next = safeNext(body.next);
    if (access.signIn(res, typeof body.token === 'string' ? body.token.trim() : '')) {
      res.redirect(303, next);
      return;
    }
    deps.logger.warn({ peer: req.socket.remoteAddress }, 'console sign-in refused: wrong token');
    send(req, res, 'login', { locked: !access.tokenLogin, error: 'That is not the API token.', next }, { title: 'Sign in' }, 401);
  });
  router.post('/logout', (_req, res) => {
    access.signOut(res);
    res.redirect(303, '/login');
  });

  const page = access.requireViewer();

  router.get('/', page, async (req, res) => {
    const status = str(req.query.status);
    const filters: OverviewFilters = {
      q: str(req.query.q),
      owner: str(req.query.owner),
      service: str(req.query.service),
      label: str(req.query.label),
      status: STATUS_ORDER.includes(status as ConsoleStatus) ? (status as ConsoleStatus) : undefined,
    };
    const latest = new Map((await latestEvaluations(deps.db)).map((e) => [e.sloId, e]));
    const overview = buildOverview(deps.slos(), latest, deps.clock.now(), filters);
    const query = (extra: Partial<OverviewFilters>) => {
      const p = new URLSearchParams();
      for (const [k, v] of Object.entries({ ...filters, ...extra })) if (v) p.set(k, v);
      const s = p.toString();
      return s ? `/?${s}` : '/';
    };
    send(
      req,
      res,
      'overview',
      {
        overview: { ...overview, counts: overview.counts.map((c) => ({ ...c, href: query({ status: c.status }) })) },
        filters,
        filtered: Object.values(filters).some(Boolean),
        allHref: query({ status: undefined }),
        owners: overview.owners.map((value) => ({ value, selected: value === filters.owner })),
        services: overview.services.map((value) => ({ value, selected: value === filters.service })),
        statuses: STATUS_ORDER.map((value) => ({ value, label: STATUS_LABEL[value], selected: value === filters.status })),
        problems: deps.problems(),
        refreshSeconds,
      },
      { title: overview.counts[0]!.count > 0 ? `(${overview.counts[0]!.count} paging) SLOs` : 'SLOs', nav: 'slos', scripts: ['/assets/overview.js'] },
    );
  });

  router.get('/slos/:service/:name', page, async (req, res) => {
    const id = `${req.params.service}/${req.params.name}`;
    const slo = deps.slos().find((s) => s.id === id);
    if (!slo) {
      send(req, res, 'error', { heading: 'No such SLO', message: `No SLO ${id} is loaded.` }, { title: 'Not found', nav: 'slos' }, 404);
      return;
    }
    const range = pickRange(slo, req.query.range);
    const to = deps.clock.now();
    const from = new Date(to.getTime() - parseDuration(range) * 1000);
    const [latestAll, series, episodes, incidents, actions, changes] = await Promise.all([
      latestEvaluationOf(deps.db, slo.id),
      evaluationSeries(deps.db, { sloId: slo.id, from, to: new Date(to.getTime() + 1), points: deps.chartPoints ?? 600 }),
      alertEpisodesBetween(deps.db, { sloId: slo.id, from, to }),
      incidentsOfSlo(deps.db, slo.id, from, to),
      actionsBetween(deps.db, { from, to }),
      listChangeEvents(deps.db, { from, to, service: slo.service }),
    ]);
    const model = sloPage({
      slo,
      latest: latestAll,
      series,
      episodes,
      incidents,
      actions: actions.filter((a) => a.context.sloId === slo.id),
      changes,
      sources: deps.sources(),
      range,
      from,
      to,
      now: to,
      runbookHref: await runbookHref(slo.alerting.runbook, deps.playbooksDir),
    });
    send(req, res, 'slo', { page: model, chartJson: scriptJson(model.chart) }, { title: model.title, nav: 'slos', charts: true, scripts: ['/assets/vendor/uPlot.iife.min.js', '/assets/slo.js'] });
  });

  router.get('/incidents', page, async (req, res) => {
    const incidents = await recentIncidents(deps.db);
    const rows = incidentRows(incidents, deps.slos(), deps.clock.now());
    send(req, res, 'incidents', { incidents: rows, open: incidents.filter((i) => i.status !== 'resolved').length }, { title: 'Incidents', nav: 'incidents' });
  });

  router.get('/incidents/:id', page, async (req, res) => {
    const id = Number(req.params.id);
    const detail = Number.isSafeInteger(id) && id > 0 ? await incidentDetail(deps.db, id) : undefined;
    if (!detail) {
      send(req, res, 'error', { heading: 'No such incident', message: `There is no incident #${req.params.id}.` }, { title: 'Not found', nav: 'incidents' }, 404);
      return;
    }
    const now = deps.clock.now();
    const i = detail.incident;
    const end = i.resolvedAt ?? now;
    const actions = (await actionsBetween(deps.db, { from: new Date(i.startedAt.getTime() - 3600_000), to: new Date(end.getTime() + 1) })).filter(
      (a) => (i.alertId !== null && a.context.alertId === i.alertId) || (typeof a.context.sloId === 'string' && i.sloIds.includes(a.context.sloId)),
    );
    const latest = new Map((await latestEvaluations(deps.db)).map((e) => [e.sloId, e]));
    const { renderMarkdown } = await markdown();
    const model = incidentPage(detail, actions, deps.slos(), latest, now, renderMarkdown);
    send(req, res, 'incident', model, { title: `#${i.id} ${i.title}`, nav: 'incidents' });
  });

  router.get('/runbooks/{*file}', page, async (req, res) => {
    const parts = (req.params as { file?: string[] }).file ?? [];
    const rel = parts.join('/');
    const root = path.resolve(deps.playbooksDir);
    const file = path.resolve(root, rel);
    if (!rel.endsWith('.md') || !file.startsWith(`${root}${path.sep}`)) {
      send(req, res, 'error', { heading: 'No such runbook', message: 'Runbooks are the Markdown files of the playbooks folder.' }, { title: 'Not found' }, 404);
      return;
    }
    let text: string;
    try {
      // realpath: a symlink that leads out of the playbooks folder is not followed
      const real = await fs.realpath(file);
      if (!real.startsWith(`${await fs.realpath(root)}${path.sep}`)) throw new Error('outside');
      text = await fs.readFile(real, 'utf8');
    } catch {
      send(req, res, 'error', { heading: 'No such runbook', message: `${rel} is not in the playbooks folder.` }, { title: 'Not found' }, 404);
      return;
    }
    const heading = /^#\s+(.+)$/m.exec(text)?.[1] ?? rel;
    const { renderMarkdown } = await markdown();
    send(req, res, 'runbook', { file: `${path.basename(root)}/${rel}`, html: renderMarkdown(text) }, { title: heading });
  });

  return router;
}
