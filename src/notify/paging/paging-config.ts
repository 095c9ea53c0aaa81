// Who gets paged, and with which key: the operator's paging file (BURNWATCH_PAGING_CONFIG).
// SLO files only name a pager service (`alerting.page: pagerduty:ranker`); the keys live in the
// environment or in secret files (a Kubernetes Secret mounted as files), never in YAML that is
// committed, and they are read when a page is sent, so a rotated secret file needs no restart.
import fs from 'node:fs';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { isDuration } from '../../domain/duration.ts';

const Name = z.string().regex(/^[a-z0-9][a-z0-9_.-]*$/, { message: 'lower-case letters, digits, "-", "_" and "."' });
const Secret = z
  .strictObject({ env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).optional(), file: z.string().min(1).optional() })
  .refine((s) => (s.env === undefined) !== (s.file === undefined), { message: 'give exactly one of env (a variable name) or file (a path)' });
const Target = z.string().regex(/^(pagerduty|opsgenie):[a-z0-9][a-z0-9_.-]*$|^(webhook|log)$|^slack:.+$/, {
  message: 'expected pagerduty:<service>, opsgenie:<team>, webhook, log or slack:#channel',
});
const Responder = z.strictObject({ type: z.enum(['team', 'user', 'escalation', 'schedule']), name: z.string().min(1) });

export const PagingFile = z.strictObject({
  pagerduty: z
    .strictObject({
      /** Events API v2 base; the EU service region is https://events.eu.pagerduty.com. */
      eventsUrl: z.url().default('https://events.pagerduty.com'),
      services: z.record(Name, z.strictObject({ routingKey: Secret })).default({}),
      /** Signing secrets of the v3 webhook subscription (two while rotating); POST /api/pagerduty/webhook. */
      webhookSecrets: z.array(Secret).default([]),
      /** REST API token (read-only is enough) for who is on call: /oncall and incident invites. */
      apiToken: Secret.optional(),
      apiUrl: z.url().default('https://api.pagerduty.com'),
    })
    .optional(),
  opsgenie: z
    .strictObject({
      region: z.enum(['us', 'eu']).default('us'),
      /** Overrides the region's endpoint (a proxy, or a test). */
      apiUrl: z.url().optional(),
      teams: z.record(Name, z.strictObject({ apiKey: Secret, responders: z.array(Responder).default([]) })).default({}),
      /** The token Opsgenie's outgoing webhook sends in X-Burnwatch-Token; POST /api/opsgenie/webhook. */
      webhookToken: Secret.optional(),
    })
    .optional(),
  /** Who is on call per team (an SLO's owner): PagerDuty's on-calls of an escalation policy, or a static rota. */
  oncall: z
    .record(
      z.string().min(1),
      z.union([
        z.strictObject({ pagerduty: z.strictObject({ escalationPolicy: z.string().min(1) }) }),
        z.strictObject({
          rota: z.strictObject({
            /** When the first person's shift began (ISO-8601 with offset). */
            start: z.iso.datetime({ offset: true }),
            every: z.string().refine(isDuration, { message: 'expected a duration such as 1w or 12h' }),
            people: z.array(z.string().email()).min(1),
          }),
        }),
      ]),
    )
    .default({}),
  routes: z
    .strictObject({
      /** The pager of every SLO of an owner (metadata.owner) that names none itself. */
      owners: z.record(z.string(), Target).default({}),
      /** Where each severity goes when neither the SLO nor its owner says: pages to the pager, tickets elsewhere. */
      severities: z.strictObject({ page: Target.optional(), ticket: Target.optional() }).default({}),
    })
    .default({ owners: {}, severities: {} }),
});
export type PagingFile = z.infer<typeof PagingFile>;

export interface SecretRef {
  /** For messages: `env PAGERDUTY_RANKER_KEY` or `file /run/secrets/pd`; never the value. */
  describe: string;
  read(): string | undefined;
}

export interface PagingConfig {
  file: string;
  pagerduty: { eventsUrl: string; services: Map<string, SecretRef>; webhookSecrets: SecretRef[]; apiUrl: string; apiToken: SecretRef | undefined } | undefined;
  opsgenie:
    | { apiUrl: string; teams: Map<string, { apiKey: SecretRef; responders: Array<{ type: string; name: string }> }>; webhookToken: SecretRef | undefined }
    | undefined;
  routes: PagingFile['routes'];
  oncall: PagingFile['oncall'];
}

export class PagingConfigError extends Error {
  readonly code = 'invalid_paging_config';
}

const OPSGENIE_API = { us: 'https://api.opsgenie.com', eu: 'https://api.eu.opsgenie.com' } as const;

function secretRef(s: { env?: string | undefined; file?: string | undefined }, env: NodeJS.ProcessEnv): SecretRef {
  if (s.env !== undefined) {
    const name = s.env;
    return { describe: `env ${name}`, read: () => env[name]?.trim() || undefined };
  }
  const file = s.file as string;
  return {
    describe: `file ${file}`,
    read: () => {
      try {
        return fs.readFileSync(file, 'utf8').trim() || undefined;
      } catch {
        return undefined;
      }
    },
  };
}

/** Reads and checks the paging file; every problem names the file, line and field. */
export function loadPagingConfig(file: string, env: NodeJS.ProcessEnv = process.env): PagingConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new PagingConfigError(`BURNWATCH_PAGING_CONFIG: cannot read ${file}: ${(error as Error).message}`);
  }
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) throw new PagingConfigError(`${file}: ${doc.errors.map((e) => e.message).join('; ')}`);
  const parsed = PagingFile.safeParse(doc.toJS() ?? {});
  const lineOf = (path: readonly PropertyKey[]) => {
    const node = doc.getIn(path.map(String), true) as { range?: [number, number, number] } | undefined;
    return node?.range ? text.slice(0, node.range[0]).split('\n').length : undefined;
  };
  if (!parsed.success)
    throw new PagingConfigError(
      parsed.error.issues
        .map((i) => {
          const line = lineOf(i.path);
          return `${file}${line ? `:${line}` : ''} ${i.path.join('.') || '(file)'}: ${i.message}`;
        })
        .join('\n'),
    );
  const p = parsed.data;
  const config: PagingConfig = {
    file,
    pagerduty: p.pagerduty && {
      eventsUrl: p.pagerduty.eventsUrl.replace(/\/$/, ''),
      services: new Map(Object.entries(p.pagerduty.services).map(([name, s]) => [name, secretRef(s.routingKey, env)])),
      webhookSecrets: p.pagerduty.webhookSecrets.map((s) => secretRef(s, env)),
      apiUrl: p.pagerduty.apiUrl.replace(/\/$/, ''),
      apiToken: p.pagerduty.apiToken && secretRef(p.pagerduty.apiToken, env),
    },
    opsgenie: p.opsgenie && {
      apiUrl: (p.opsgenie.apiUrl ?? OPSGENIE_API[p.opsgenie.region]).replace(/\/$/, ''),
      teams: new Map(Object.entries(p.opsgenie.teams).map(([name, t]) => [name, { apiKey: secretRef(t.apiKey, env), responders: t.responders }])),
      webhookToken: p.opsgenie.webhookToken && secretRef(p.opsgenie.webhookToken, env),
    },
    routes: p.routes,
    oncall: p.oncall,
  };
  const needToken = Object.entries(p.oncall).filter(([, o]) => 'pagerduty' in o && !config.pagerduty?.apiToken).map(([team]) => `oncall.${team}: reading PagerDuty's on-calls needs pagerduty.apiToken`);
  const problems = [...needToken, ...missingKeys(config), ...unknownTargets(config, [...Object.values(p.routes.owners), p.routes.severities.page, p.routes.severities.ticket])];
  if (problems.length > 0) throw new PagingConfigError(problems.map((m) => `${file}: ${m}`).join('\n'));
  return config;
}

function missingKeys(c: PagingConfig): string[] {
  const out: string[] = [];
  for (const [name, ref] of c.pagerduty?.services ?? []) if (!ref.read()) out.push(`pagerduty service ${name}: no routing key in ${ref.describe}`);
  for (const [name, t] of c.opsgenie?.teams ?? []) if (!t.apiKey.read()) out.push(`opsgenie team ${name}: no API key in ${t.apiKey.describe}`);
  for (const ref of c.pagerduty?.webhookSecrets ?? []) if (!ref.read()) out.push(`pagerduty.webhookSecrets: nothing in ${ref.describe}`);
  if (c.pagerduty?.apiToken && !c.pagerduty.apiToken.read()) out.push(`pagerduty.apiToken: nothing in ${c.pagerduty.apiToken.describe}`);
  if (c.opsgenie?.webhookToken && !c.opsgenie.webhookToken.read()) out.push(`opsgenie.webhookToken: nothing in ${c.opsgenie.webhookToken.describe}`);
  return out;
}

/** Targets that name a pager service the file does not configure (an SLO's `alerting.page` too). */
export function unknownTargets(c: PagingConfig, targets: ReadonlyArray<string | undefined>): string[] {
  const out: string[] = [];
  for (const t of targets) {
    if (!t) continue;
    const [kind, name = ''] = t.split(':');
    if (kind === 'pagerduty' && !c.pagerduty?.services.has(name)) out.push(`${t}: no pagerduty.services.${name} in the paging config`);
    if (kind === 'opsgenie' && !c.opsgenie?.teams.has(name)) out.push(`${t}: no opsgenie.teams.${name} in the paging config`);
  }
  return out;
}
