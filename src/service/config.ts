// The service's configuration: environment variables (12-factor) overridden by
// `serve` flags, validated with zod. A bad value stops start-up naming the variable.
import os from 'node:os';
import cron from 'node-cron';
import { z } from 'zod';
import { type ReportSchedule, reportScheduleSchema } from './report-schedule.ts';
import { isDuration, parseDuration } from '../domain/duration.ts';
import { displayUrl } from '../notify/webhook-notifier.ts';
import { registerEnvironmentSecrets } from '../secrets/redact.ts';
import { type ConsoleConfig, consoleConfig, consoleEnvSchema } from './console-config.ts';
import { type GateConfig, gateConfigOf, gateEnvSchema } from './gate-config.ts';

const duration = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .refine(isDuration, { message: 'expected a duration such as 30s, 5m, 1h' })
    .transform(parseDuration);

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === '' ? undefined : v));

const url = (protocols: readonly string[]) =>
  optionalString.refine((v) => v === undefined || (URL.canParse(v) && protocols.includes(new URL(v).protocol)), {
    message: `expected a URL (${protocols.map((p) => p.replace(':', '://')).join(' or ')}…)`,
  });

const boolean = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .optional()
    .transform((v) => (v === undefined ? fallback : ['true', '1', 'yes'].includes(v)));

/** Every variable the service reads; the README's configuration table mirrors this. */
export const envSchema = z.object({
  PROMETHEUS_URL: url(['http:', 'https:']),
  DATABASE_URL: url(['postgres:', 'postgresql:']),
  SLACK_BOT_TOKEN: optionalString.refine((v) => v === undefined || v.startsWith('xox'), { message: 'expected a Slack token (xoxb-…)' }),
  SLACK_SIGNING_SECRET: optionalString,
  /** Socket Mode (read again, with its checks, by src/slack/slack-config.ts): no signing secret needed. */
  SLACK_APP_TOKEN: optionalString,
  SLACK_DEFAULT_CHANNEL: optionalString,
  SLACK_API_URL: url(['http:', 'https:']),
  BURNWATCH_SLOS_DIR: z.string().min(1).default('slos'),
  BURNWATCH_PLAYBOOKS_DIR: z.string().min(1).default('playbooks'),
  BURNWATCH_HOST: z.string().min(1).default('0.0.0.0'),
  BURNWATCH_PORT: z.coerce.number({ message: 'expected a port number' }).int().min(0).max(65_535).default(8080),
  BURNWATCH_DATA_DIR: z.string().min(1).default('.burnwatch'),
  BURNWATCH_API_TOKEN: optionalString.refine((v) => v === undefined || v.length >= 16, {
    message: 'expected at least 16 characters (e.g. `openssl rand -hex 32`)',
  }),
  BURNWATCH_WEBHOOK_URL: url(['http:', 'https:']),
  BURNWATCH_WEBHOOK_SECRET: optionalString.refine((v) => v === undefined || v.length >= 16, {
    message: 'expected at least 16 characters',
  }),
  BURNWATCH_NOTIFY_LOG: boolean(true),
  /** The paging file (PagerDuty services, Opsgenie teams, routes); keys come from the environment or secret files. */
  BURNWATCH_PAGING_CONFIG: optionalString,
  BURNWATCH_SCHEDULE: z
    .string()
    .default('* * * * *')
    .refine((v) => cron.validate(v), { message: 'expected a cron expression (5 fields, or 6 with seconds)' }),
  // the weekly report: BURNWATCH_REPORT_CRON, BURNWATCH_REPORT_TZ, BURNWATCH_REPORT_ENABLED, BURNWATCH_REPORT_DIR
  ...reportScheduleSchema.shape,
  // the web console and read access: BURNWATCH_PUBLIC_URL (links in pages and messages too), BURNWATCH_PUBLIC_READ
  // (/api/* reads, the full /readyz body and the console without the token), BURNWATCH_TRUSTED_PROXIES
  ...consoleEnvSchema.shape,
  // the deploy gate: BURNWATCH_PUBLIC_READ, BURNWATCH_GATE_MAX_AGE, BURNWATCH_GATE_MAX_RATIO
  ...gateEnvSchema.shape,
  BURNWATCH_CYCLE_TIMEOUT: duration('50s'),
  BURNWATCH_SHUTDOWN_GRACE: duration('20s'),
  BURNWATCH_RETENTION: duration('400d'),
  BURNWATCH_OUTBOX_BACKOFF: duration('5s'),
  BURNWATCH_OUTBOX_MAX_BACKOFF: duration('10m'),
  BURNWATCH_LEADER: z.enum(['auto', 'lease', 'postgres', 'advisory', 'none']).default('auto'),
  BURNWATCH_LEADER_RETRY: duration('1s'),
  BURNWATCH_LEASE_NAME: z.string().min(1).default('burnwatch-leader'),
  BURNWATCH_LEASE_NAMESPACE: optionalString,
  BURNWATCH_LEASE_DURATION: duration('15s'),
  BURNWATCH_IDENTITY: z.string().min(1).default(`${os.hostname()}-${process.pid}`),
  /** json (machines), pretty (people), auto: pretty on a terminal, JSON otherwise. */
  BURNWATCH_LOG_FORMAT: z.enum(['auto', 'json', 'pretty']).default('auto'),
  BURNWATCH_LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  KUBERNETES_SERVICE_HOST: optionalString,
  OTEL_SDK_DISABLED: boolean(false),
  OTEL_TRACES_EXPORTER: z.string().default('none'),
  OTEL_SERVICE_NAME: z.string().default('burnwatch'),
  OTEL_EXPORTER_OTLP_ENDPOINT: url(['http:', 'https:']),
});

export type Env = z.infer<typeof envSchema>;

export interface ServeFlags {
  port?: number;
  host?: string;
  slos?: string;
  dataDir?: string;
}

export interface Config {
  prometheusUrl: string | undefined;
  databaseUrl: string | undefined;
  slack: { botToken: string; signingSecret: string | undefined; defaultChannel: string | undefined; apiUrl: string | undefined } | undefined;
  slosDir: string;
  playbooksDir: string;
  host: string;
  port: number;
  dataDir: string;
  apiToken: string | undefined;
  publicRead: boolean;
  webhook: { url: string; secret: string | undefined } | undefined;
  notifyLog: boolean;
  pagingConfigFile: string | undefined;
  publicUrl: string | undefined;
  schedule: string;
  cycleTimeoutSeconds: number;
  /** Sources get this long (80 % of the cycle timeout); the rest is for writing the cycle. */
  readDeadlineSeconds: number;
  shutdownGraceSeconds: number;
  outbox: { backoffSeconds: number; maxBackoffSeconds: number };
  /** Evaluations older than this are deleted; finished outbox messages after 30 days. */
  retentionSeconds: number;
  leader: {
    mode: 'lease' | 'postgres' | 'advisory' | 'none';
    identity: string;
    leaseName: string;
    leaseNamespace: string | undefined;
    leaseDurationSeconds: number;
    /** How often a follower looks and the PostgreSQL leader renews (the Lease keeps 2/15 of its duration). */
    retryPeriodSeconds: number;
  };
  logLevel: Env['BURNWATCH_LOG_LEVEL'];
  logFormat: Env['BURNWATCH_LOG_FORMAT'];
  /** When the weekly reliability report runs. */
  report: ReportSchedule;
  telemetry: { enabled: boolean; serviceName: string };
  /** The web console (src/console). */
  console: ConsoleConfig;
  /** The deploy gate (GET /api/gate). */
  gate: GateConfig;
}

export class ConfigError extends Error {
  readonly code = 'invalid_config';
  readonly problems: Array<{ variable: string; message: string }>;
  constructor(problems: Array<{ variable: string; message: string }>) {
    super(`invalid configuration:\n${problems.map((p) => `  ${p.variable}: ${p.message}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export function loadConfig(env: NodeJS.ProcessEnv, flags: ServeFlags = {}): Config {
  // Whatever the configuration holds, no log line or answer shows its secrets.
  registerEnvironmentSecrets(env);
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => ({ variable: String(issue.path[0] ?? '(environment)'), message: issue.message })),
    );
  }
  const e = parsed.data;
  const problems: Array<{ variable: string; message: string }> = [];
  if (e.BURNWATCH_WEBHOOK_URL && !e.BURNWATCH_WEBHOOK_SECRET) {
    problems.push({ variable: 'BURNWATCH_WEBHOOK_SECRET', message: 'required with BURNWATCH_WEBHOOK_URL (the payload is HMAC-signed)' });
  }
  // Over HTTP every Slack request is verified with it; Socket Mode connects out and needs none.
  if (e.SLACK_BOT_TOKEN && !e.SLACK_SIGNING_SECRET && !e.SLACK_APP_TOKEN) {
    problems.push({ variable: 'SLACK_SIGNING_SECRET', message: 'required with SLACK_BOT_TOKEN (every Slack request is verified), unless Socket Mode (SLACK_APP_TOKEN) is used' });
  }
  const mode =
    e.BURNWATCH_LEADER !== 'auto'
      ? e.BURNWATCH_LEADER
      : e.KUBERNETES_SERVICE_HOST
        ? 'lease'
        : e.DATABASE_URL
          ? 'postgres'
          : 'none';
  if ((mode === 'advisory' || mode === 'postgres') && !e.DATABASE_URL) {
    problems.push({ variable: 'BURNWATCH_LEADER', message: `${mode} needs a shared PostgreSQL (DATABASE_URL)` });
  }
  if (e.BURNWATCH_LEADER_RETRY <= 0 || e.BURNWATCH_LEADER_RETRY * 3 > e.BURNWATCH_LEASE_DURATION) {
    problems.push({ variable: 'BURNWATCH_LEADER_RETRY', message: 'expected more than 0 and at most a third of BURNWATCH_LEASE_DURATION' });
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const telemetryOn = !e.OTEL_SDK_DISABLED && e.OTEL_TRACES_EXPORTER !== 'none';
  return {
    prometheusUrl: e.PROMETHEUS_URL,
    databaseUrl: e.DATABASE_URL,
    slack:
      e.SLACK_BOT_TOKEN && (e.SLACK_SIGNING_SECRET || e.SLACK_APP_TOKEN)
        ? { botToken: e.SLACK_BOT_TOKEN, signingSecret: e.SLACK_SIGNING_SECRET, defaultChannel: e.SLACK_DEFAULT_CHANNEL, apiUrl: e.SLACK_API_URL }
        : undefined,
    slosDir: flags.slos ?? e.BURNWATCH_SLOS_DIR,
    playbooksDir: e.BURNWATCH_PLAYBOOKS_DIR,
    host: flags.host ?? e.BURNWATCH_HOST,
    port: flags.port ?? e.BURNWATCH_PORT,
    dataDir: flags.dataDir ?? e.BURNWATCH_DATA_DIR,
    apiToken: e.BURNWATCH_API_TOKEN,
    publicRead: e.BURNWATCH_PUBLIC_READ,
    webhook: e.BURNWATCH_WEBHOOK_URL ? { url: e.BURNWATCH_WEBHOOK_URL, secret: e.BURNWATCH_WEBHOOK_SECRET } : undefined,
    notifyLog: e.BURNWATCH_NOTIFY_LOG,
    pagingConfigFile: e.BURNWATCH_PAGING_CONFIG,
    publicUrl: e.BURNWATCH_PUBLIC_URL,
    schedule: e.BURNWATCH_SCHEDULE,
    cycleTimeoutSeconds: e.BURNWATCH_CYCLE_TIMEOUT,
    readDeadlineSeconds: e.BURNWATCH_CYCLE_TIMEOUT * 0.8,
    shutdownGraceSeconds: e.BURNWATCH_SHUTDOWN_GRACE,
    outbox: { backoffSeconds: e.BURNWATCH_OUTBOX_BACKOFF, maxBackoffSeconds: e.BURNWATCH_OUTBOX_MAX_BACKOFF },
    retentionSeconds: e.BURNWATCH_RETENTION,
    leader: {
      mode,
      identity: e.BURNWATCH_IDENTITY,
      leaseName: e.BURNWATCH_LEASE_NAME,
      leaseNamespace: e.BURNWATCH_LEASE_NAMESPACE,
      leaseDurationSeconds: e.BURNWATCH_LEASE_DURATION,
      retryPeriodSeconds: e.BURNWATCH_LEADER_RETRY,
    },
    logLevel: e.BURNWATCH_LOG_LEVEL,
    logFormat: e.BURNWATCH_LOG_FORMAT,
    report: { cron: e.BURNWATCH_REPORT_CRON, timezone: e.BURNWATCH_REPORT_TZ, enabled: e.BURNWATCH_REPORT_ENABLED, outDir: e.BURNWATCH_REPORT_DIR },
    telemetry: { enabled: telemetryOn, serviceName: e.OTEL_SERVICE_NAME },
    console: consoleConfig(e),
    gate: gateConfigOf(e),
  };
}

/** The configuration as it may be logged: secrets replaced by "***". */
export function describeConfig(c: Config): Record<string, unknown> {
  const hidden = (v: string | undefined) => (v === undefined ? undefined : '***');
  const redactUrl = (v: string | undefined) => {
    if (!v) return v;
    const u = new URL(v);
    if (u.password) u.password = '***';
    return u.toString();
  };
  // Through JSON so unset values disappear instead of showing up as "***".
  return JSON.parse(JSON.stringify({
    ...c,
    databaseUrl: redactUrl(c.databaseUrl),
    prometheusUrl: redactUrl(c.prometheusUrl),
    apiToken: hidden(c.apiToken),
    slack: c.slack && { ...c.slack, botToken: '***', signingSecret: '***' },
    webhook: c.webhook && { url: displayUrl(c.webhook.url), secret: hidden(c.webhook.secret) },
  }));
}
