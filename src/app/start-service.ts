// The one place that wires the service together: configuration, store, SLO catalog
// and sources, evaluator and alerting (through the evaluation cycle), outbox and
// notifiers, HTTP, scheduler, leader election and telemetry.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { KubeConfig } from '../actions/kube-clients.ts';
import { type Clock, systemClock } from '../domain/clock.ts';
import type { SloEvaluation } from '../domain/evaluation.ts';
import type { Slo } from '../domain/slo.ts';
import type { SourceMap } from '../evaluator/evaluate-all.ts';
import { resolveSlo } from '../evaluator/group-instances.ts';
import { logNotifier } from '../notify/log-notifier.ts';
import type { Notifier } from '../notify/notifier.ts';
import { OutboxDispatcher } from '../notify/outbox-dispatcher.ts';
import { webhookNotifier } from '../notify/webhook-notifier.ts';
import { type Config, describeConfig } from '../service/config.ts';
import { type IncidentRoute, type Route, runEvaluationCycle } from '../service/evaluation-cycle.ts';
import { createHttpApp, type Readiness } from '../service/http/create-http-app.ts';
import type { LeaderElector } from '../service/leader/leader-elector.ts';
import { createLogger } from '../service/logger.ts';
import { createMetrics, recordEvaluations } from '../service/metrics.ts';
import { Scheduler } from '../service/scheduler.ts';
import { SloCatalog, type SpecLoader, formatProblem } from '../service/slo-catalog.ts';
import { startTelemetry } from '../service/telemetry.ts';
import { withDeadline } from '../service/deadline.ts';
import { openStore, type Store } from '../store/open-store.ts';
import { latestEvaluations, pruneEvaluations } from '../store/repositories/evaluations.ts';
import { pendingByChannel, pruneOutbox } from '../store/repositories/outbox.ts';
import { recordAudit } from '../store/repositories/audit-log.ts';
import { redact } from '../secrets/redact.ts';
import { buildSources, type SourceFactories, withDefaultSources } from './build-sources.ts';
import { configurationHint } from './configuration-hint.ts';
import { createElector } from './leader.ts';
import { buildPaging, type Paging, pagerBridge } from './paging.ts';
import { pagerWebhookRouter } from '../service/http/pager-webhooks.ts';
import { alertApiRouter } from '../service/http/alert-api.ts';
import { buildDesks, type Desks } from './desks.ts';
import { slosView, toEvaluation } from './slos-view.ts';
import type { ServiceContext, ServiceExtension } from '../service/service-context.ts';

export interface ServiceOptions {
  config: Config;
  loadSpecs: SpecLoader;
  sourceFactories: SourceFactories;
  extensions?: readonly ServiceExtension[];
  logger?: Logger;
  clock?: Clock;
  kubeConfig?: KubeConfig;
}

export interface RunningService {
  url: string;
  port: number;
  store: Store;
  elector: LeaderElector;
  reload(reason: string): Promise<void>;
  stop(reason: string): Promise<void>;
}

const PING_TIMEOUT_MS = 3000;
/** How long /readyz waits for the store and the sources (they are asked together). */
const READY_DEADLINE_MS = 1000;

async function probe(sources: SourceMap): Promise<Array<{ name: string; type: string; reachable: boolean; error?: string }>> {
  return Promise.all(
    [...sources.values()].map(async (s) => {
      try {
        await s.ping(AbortSignal.timeout(PING_TIMEOUT_MS));
        return { name: s.name, type: s.type, reachable: true };
      } catch (error) {
        return { name: s.name, type: s.type, reachable: false, error: (error as Error).message };
      }
    }),
  );
}

export async function startService(options: ServiceOptions): Promise<RunningService> {
  const { config } = options;
  const logger = options.logger ?? createLogger(config.logLevel);
  const clock = options.clock ?? systemClock;
  logger.info({ config: describeConfig(config) }, 'starting burnwatch');
  const telemetry = await startTelemetry({ enabled: config.telemetry.enabled, serviceName: config.telemetry.serviceName, logger });

  const store = await openStore({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    onLockCompromised: (error) => logger.fatal({ err: error.message }, 'lost the lock on the embedded database; stop and restart'),
  });
  logger.info({ store: store.kind, location: store.location }, `state store: ${store.kind} (${store.location})`);
  const db = store.db;
  const metrics = createMetrics({ outboxDepth: () => pendingByChannel(db) });
  const elector = await createElector(config, clock, logger, options.kubeConfig);
  const stopHooks: Array<() => Promise<void>> = [];
  const leaderHooks: Array<() => void> = [];

  // Sources follow the catalog: rebuilt on every reload.
  let sources: SourceMap = new Map();
  // Pagers (BURNWATCH_PAGING_CONFIG): a broken paging file stops start-up, as a broken env does.
  const paging: Paging | undefined = config.pagingConfigFile
    ? buildPaging({ file: config.pagingConfigFile, clock, publicUrl: config.publicUrl, env: process.env })
    : undefined;
  const pagers = pagerBridge(paging);
  const checkPaging = (slos: readonly Slo[]) => {
    for (const problem of paging?.problems(slos) ?? []) logger.error({ problem }, `paging: ${problem}; its pages go nowhere until the paging file names it`);
  };
  const latest = new Map<string, SloEvaluation>();
  const catalog = new SloCatalog({
    dir: config.slosDir,
    load: options.loadSpecs,
    logger,
    onChange: (specs) => {
      const old = sources;
      sources = buildSources(withDefaultSources(specs.sources, config.prometheusUrl), options.sourceFactories, metrics, { store: db });
      for (const s of old.values()) void s.close().catch(() => {});
      const ids = new Set(specs.slos.map((s) => s.id));
      for (const id of latest.keys()) if (!ids.has(id)) latest.delete(id);
      checkPaging(specs.slos);
      metrics.slosLoaded.set(specs.slos.length);
      metrics.specProblems.set(specs.problems.length);
      recordEvaluations(metrics, latest.values());
    },
  });
  await catalog.reload('start-up');

  // Notifiers and where alerts go.
  const notifiers: Notifier[] = [];
  const routes: Route[] = [];
  const externalChannels: string[] = [];
  const incidentRoutes: IncidentRoute[] = [];
  /** Channels that take the desks' lifecycle events (alert.fired, alert.acknowledged, incident.opened, …). */
  const eventChannels: string[] = [];
  if (config.notifyLog) {
    eventChannels.push('log');
    notifiers.push(logNotifier(logger.child({ component: 'notify' })));
    routes.push(() => ['log']);
    externalChannels.push('log');
    incidentRoutes.push(() => ['log']);
  }
  if (config.webhook) {
    notifiers.push(webhookNotifier({ url: config.webhook.url, secret: config.webhook.secret, clock, sender: config.leader.identity }));
    routes.push(() => ['webhook']);
    externalChannels.push('webhook');
    incidentRoutes.push(() => ['webhook']);
    eventChannels.push('webhook');
  }
  if (paging) {
    notifiers.push(...paging.notifiers);
    routes.push(paging.route);
  }

  // Retention, at most hourly, by the leader after a cycle.
  let prunedAt = 0;
  const prune = async (at: Date) => {
    if (at.getTime() - prunedAt < 3_600_000) return;
    prunedAt = at.getTime();
    try {
      const evaluations = await pruneEvaluations(db, new Date(at.getTime() - config.retentionSeconds * 1000));
      const messages = await pruneOutbox(db, new Date(at.getTime() - 30 * 86_400_000));
      if (evaluations + messages > 0) logger.info({ evaluations, messages }, 'pruned old history');
    } catch (error) {
      logger.warn({ err: (error as Error).message }, 'pruning old history failed');
    }
  };

  // Followers do not evaluate: their per-SLO metrics come from the leader's stored figures.
  const refreshFromStore = async () => {
    const byId = new Map(catalog.current.slos.map((s) => [s.id, s]));
    for (const e of await latestEvaluations(db)) {
      // An instance of a grouped SLO (`service/name[model=a]`) is rebuilt from its definition.
      const slo = byId.get(e.sloId) ?? resolveSlo(catalog.current.slos, e.sloId);
      if (slo) latest.set(e.sloId, toEvaluation(slo, e));
    }
    recordEvaluations(metrics, latest.values());
  };

  // Probes hit real sources (a BigQuery ping is a dry-run job): /readyz reuses an answer for 15 s.
  // One probe at a time; /readyz waits for it at most READY_DEADLINE_MS and otherwise says so.
  let lastProbe: { at: number; of: SourceMap; result: Awaited<ReturnType<typeof probe>> } | undefined;
  let probing: Promise<Awaited<ReturnType<typeof probe>>> | undefined;
  const probeCached = async () => {
    if (lastProbe && lastProbe.of === sources && Date.now() - lastProbe.at <= 15_000) return lastProbe.result;
    const of = sources;
    probing ??= probe(of)
      .then((result) => {
        lastProbe = { at: Date.now(), of, result };
        return result;
      })
      .finally(() => {
        probing = undefined;
      });
    return probing;
  };

  // Writes started from callbacks; shutdown waits for them before closing the store.
  const inFlight = new Set<Promise<unknown>>();
  const track = (p: Promise<unknown>) => {
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  };

  let dispatcher: OutboxDispatcher | undefined;
  const outboxWritten = () => dispatcher?.kick();
  const desks = buildDesks({ db, clock, slos: () => catalog.current.slos, env: process.env, eventChannels: () => eventChannels, pagers, outboxWritten });

  const scheduler = new Scheduler({
    schedule: config.schedule,
    timeoutSeconds: config.cycleTimeoutSeconds,
    clock,
    logger,
    metrics,
    isLeader: () => elector.isLeader(),
    slos: () => catalog.current.slos,
    run: async (slos, at, signal) => {
      const result = await runEvaluationCycle(
        {
          db,
          sources: () => sources,
          routes: () => routes,
          incidentRoutes: () => incidentRoutes,
          // Episodes (and incidents opened by a page) in the cycle's transaction.
          applyIntents: (tx, intents) => desks.alerts.applyIntentsIn(tx, intents),
          isLeader: () => elector.isLeader(),
          fencing: elector,
          logger,
          readDeadlineSeconds: config.readDeadlineSeconds,
        },
        slos,
        at,
        signal,
      );
      for (const e of result.evaluations) {
        // Say it when an SLO becomes unknown (or recovers), not every minute while it stays so.
        const before = latest.get(e.id)?.status;
        const unknown = e.status === 'unknown' || e.status === 'error';
        if (unknown && before !== e.status) logger.warn({ slo: e.id, error: e.error }, `SLO ${e.id} is ${e.status}`);
        else if (!unknown && (before === 'unknown' || before === 'error')) logger.info({ slo: e.id, status: e.status }, `SLO ${e.id} has data again`);
        latest.set(e.id, e);
      }
      recordEvaluations(metrics, latest.values());
      const counts = Object.fromEntries(['ok', 'ticket', 'page', 'unknown', 'error'].map((s) => [s, result.evaluations.filter((e) => e.status === s).length]));
      logger.info({ at: at.toISOString(), evaluated: result.evaluations.length, ...counts, intents: result.intents.length }, 'evaluation cycle done');
      if (result.enqueued > 0 || result.intents.length > 0) outboxWritten();
      await prune(at);
    },
  });

  // A changed SLO is evaluated at once, not at the end of its interval.
  catalog.afterReload(() => {
    scheduler.resetDue();
    if (!scheduler.running) void scheduler.tick();
  });

  const http = createHttpApp({
    db,
    clock,
    logger,
    metrics,
    beforeMetrics: async () => {
      if (!elector.isLeader()) await refreshFromStore().catch(() => {});
    },
    apiToken: config.apiToken,
    publicRead: config.publicRead,
    redact,
    externalChannels: () => externalChannels,
    alertmanagerIncidents: (q, alert) => desks.incidents.fromAlertmanagerIn(q, alert),
    incidentChannels: (incident) => [...new Set(incidentRoutes.flatMap((route) => route(incident)))],
    outboxWritten,
    slos: () => slosView(db, catalog.current.slos, catalog.current.problems.map(formatProblem)),
    readiness: async (strict): Promise<Readiness> => {
      let storeStatus: Record<string, unknown>;
      let storeOk = true;
      const probing = withDeadline(probeCached(), READY_DEADLINE_MS, 'the source probe').catch(() =>
        [...sources.values()].map((s) => ({ name: s.name, type: s.type, reachable: false, error: `no answer within ${READY_DEADLINE_MS / 1000}s yet` })),
      );
      try {
        await withDeadline(store.ping(), READY_DEADLINE_MS, 'the state store');
        storeStatus = { kind: store.kind, location: store.location, reachable: true };
      } catch (error) {
        storeOk = false;
        storeStatus = { kind: store.kind, location: store.location, reachable: false, error: (error as Error).message };
      }
      const probed = await probing;
      const unreachable = new Set(probed.filter((p) => !p.reachable).map((p) => p.name));
      const slos = catalog.current.slos.map((slo) => ({ id: slo.id, source: slo.source, evaluable: !unreachable.has(slo.source) }));
      const ready = storeOk && (!strict || unreachable.size === 0);
      return {
        ready,
        status: !storeOk ? 'store unreachable' : unreachable.size > 0 ? 'degraded' : 'ok',
        store: storeStatus,
        leader: elector.describe(),
        evaluating: slos,
        sources: probed,
        cannotReach: [...unreachable],
        specProblems: catalog.current.problems.map(formatProblem),
      };
    },
  });

  const ctx: ServiceContext = {
    config,
    db,
    clock,
    logger,
    http,
    slos: () => catalog.current.slos,
    specs: () => ({ ...catalog.current, sources: withDefaultSources(catalog.current.sources, config.prometheusUrl) }),
    policies: () => catalog.current.policies ?? [],
    isLeader: () => elector.isLeader(),
    sources: () => sources,
    addNotifier: (n) => notifiers.push(n),
    addRoute: (r) => routes.push(r),
    addIncidentRoute: (r) => incidentRoutes.push(r),
    addExternalChannel: (c) => externalChannels.push(c),
    outboxWritten,
    onStop: (fn) => stopHooks.push(fn),
    onLeader: (fn) => leaderHooks.push(fn),
    pagers,
    desks,
  };
  http.mount('/api', alertApiRouter({ db, clock, alerts: desks.alerts, apiToken: config.apiToken, publicRead: config.publicRead, outboxWritten }));
  // Acknowledgements and resolutions made in PagerDuty / Opsgenie come back here (verified, once each).
  if (paging) http.mount('/api', pagerWebhookRouter({ db, clock, logger, paging: paging.config, sink: pagers.apply }));
  for (const extension of options.extensions ?? []) await extension(ctx);
  http.finish();

  dispatcher = new OutboxDispatcher({
    db,
    notifiers,
    clock,
    logger: logger.child({ component: 'outbox' }),
    isLeader: () => elector.isLeader(),
    backoffSeconds: config.outbox.backoffSeconds,
    maxBackoffSeconds: config.outbox.maxBackoffSeconds,
  });

  const server: Server = await new Promise((resolve, reject) => {
    const s = http.app.listen(config.port, config.host, () => resolve(s));
    s.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`;

  // Say plainly what runs and what cannot be reached.
  const probed = await probe(sources);
  const unconfigured = new Map(catalog.current.sources.filter((s) => s.notConfigured).map((s) => [s.name, s.notConfigured!]));
  for (const p of probed) {
    if (p.reachable) logger.info({ source: p.name }, `source ${p.name} (${p.type}) reachable`);
    else if (unconfigured.has(p.name)) logger.info({ source: p.name }, `source ${p.name} (${p.type}) ${unconfigured.get(p.name)}: never contacted`);
    else {
      const affected = catalog.current.slos.filter((s) => s.source === p.name).map((s) => s.id);
      logger.warn({ source: p.name, error: p.error, slos: affected }, `cannot reach source ${p.name}: its SLOs are unknown until it answers`);
    }
  }
  // Once per start, in plain words: what to set so that every SLO can be evaluated.
  const hint = configurationHint(catalog.current.slos, withDefaultSources(catalog.current.sources, config.prometheusUrl), probed);
  if (hint) logger.warn({ configure: hint.sources }, hint.message);
  logger.info(
    { url, slos: catalog.current.slos.map((s) => s.id), leaderElection: elector.mode, notifiers: notifiers.map((n) => n.name) },
    `burnwatch listening on ${url}; evaluating ${catalog.current.slos.length} SLOs`,
  );

  await elector.start((leader) => {
    metrics.leader.set(leader ? 1 : 0);
    if (elector.mode !== 'none') {
      track(recordAudit(db, {
        at: clock.now(),
        actor: config.leader.identity,
        action: leader ? 'leader.acquired' : 'leader.lost',
        target: elector.mode,
        result: 'ok',
      }).catch((error: Error) => logger.warn({ err: error.message }, 'could not audit a leadership change')));
    }
    if (leader) {
      // A new leader resumes from the store: evaluate everything now, deliver what is pending.
      scheduler.resetDue();
      void scheduler.tick();
      dispatcher?.kick();
      for (const hook of leaderHooks) {
        try {
          hook();
        } catch (error) {
          logger.warn({ err: (error as Error).message }, 'a leader hook failed');
        }
      }
    }
  });
  scheduler.start();
  dispatcher.start();
  catalog.watch();

  let stopping: Promise<void> | undefined;
  const stop = (reason: string) => {
    stopping ??= (async () => {
      logger.info({ reason }, 'shutting down');
      catalog.close();
      const started = Date.now();
      await scheduler.stop(config.shutdownGraceSeconds);
      // Within what is left of the grace: a sole replica flushes the outbox; with an election
      // only the sends in flight finish, then the lease is released and a follower, woken at
      // once, delivers the rest (each message once: it is still pending in the store).
      const left = Math.max(0, config.shutdownGraceSeconds - (Date.now() - started) / 1000);
      await dispatcher?.stop({ flush: elector.mode === 'none', drain: true, graceSeconds: left });
      await elector.stop();
      for (const hook of stopHooks) await hook().catch((error: Error) => logger.warn({ err: error.message }, 'stop hook failed'));
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      for (const s of sources.values()) await s.close().catch(() => {});
      await Promise.allSettled([...inFlight]);
      await store.close();
      await telemetry.shutdown();
      logger.info('stopped');
    })();
    return stopping;
  };

  return {
    url,
    port,
    store,
    elector,
    reload: async (reason) => {
      await catalog.reload(reason);
    },
    stop,
  };
}
