// The post-mortem draft: what burnwatch knows about an incident (SLOs, budget consumed,
// time to detect/acknowledge/mitigate/resolve as src/domain/incident-response-times.ts defines
// them, actions, the full timeline) rendered into the Handlebars template from playbooks/.
import fs from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import { responseTimes } from '../domain/incident-response-times.ts';
import { humanDuration, utc } from '../slack/blocks/format.ts';
import type { Incident, TimelineEntry } from './types.ts';

export const DEFAULT_POSTMORTEM_TEMPLATE = fileURLToPath(new URL('../../playbooks/postmortem.md.hbs', import.meta.url));

export interface AffectedSlo {
  id: string;
  name: string;
  objectivePercent: number;
  window: string;
  description?: string | null;
  owner?: string | null;
  runbook?: string | null;
  /** Budget remaining (fraction of the period's budget) when the alert fired, and at the end. */
  budgetAtStart: number | null;
  budgetAtEnd: number | null;
}

export interface PostmortemInput {
  incident: Incident;
  timeline: TimelineEntry[];
  slos: AffectedSlo[];
  /** Which pair fired, e.g. "page 1h/5m (14.4x)". */
  firedTier?: string | null;
  suspectedChange?: string | null;
  generatedAt: Date;
}

export interface PostmortemFigures {
  /** Percentage points of the period's error budget, summed over the affected SLOs. */
  budgetConsumed: number | null;
  /** Burn start → first page. */
  toDetectSeconds: number;
  /** First page → acknowledgement; to mitigate and to resolve count from the first page too. */
  toAcknowledgeSeconds: number | null;
  toMitigateSeconds: number | null;
  toResolveSeconds: number | null;
  /** Burn start → mitigation. */
  impactSeconds: number | null;
}

export function consumedBudget(slo: AffectedSlo): number | null {
  if (slo.budgetAtStart === null || slo.budgetAtEnd === null) return null;
  return Math.max(0, slo.budgetAtStart - slo.budgetAtEnd);
}

export function postmortemFigures(input: PostmortemInput): PostmortemFigures {
  const consumed = input.slos.map(consumedBudget).filter((c): c is number => c !== null);
  const { toDetectSeconds, toAcknowledgeSeconds, toMitigateSeconds, toResolveSeconds, impactSeconds } = responseTimes(input.incident);
  return {
    budgetConsumed: consumed.length > 0 ? consumed.reduce((a, b) => a + b, 0) : null,
    toDetectSeconds,
    toAcknowledgeSeconds,
    toMitigateSeconds,
    toResolveSeconds,
    impactSeconds,
  };
}

/** A newline would break a list item. */
const line = (text: string): string => text.replace(/\s*\n\s*/g, ' ');
const span = (s: number | null): string | null => (s === null ? null : humanDuration(s));
const round2 = (x: number) => Math.round(x * 10_000) / 100;

/** The variables of playbooks/postmortem.md.hbs (its header documents them). */
export function postmortemView(input: PostmortemInput): Record<string, unknown> {
  const i = input.incident;
  const f = postmortemFigures(input);
  const times = responseTimes(i);
  // An incident opened by hand was detected by the person who opened it, not by a page.
  const detectedBy = i.source === 'command' ? 'incident opened' : 'first page';
  const [primary, ...others] = input.slos;
  return {
    generatedAt: utc(input.generatedAt),
    incident: {
      id: `#${i.id}`,
      title: i.title,
      severity: i.severity,
      channel: i.channelName ? `#${i.channelName}` : 'no channel',
      commander: i.commander?.name ?? null,
      openedAt: i.openedAt.toISOString(),
      resolvedAt: i.resolvedAt?.toISOString() ?? null,
      /** First page → resolved (the same as timing.timeToResolve). */
      duration: span(f.toResolveSeconds),
    },
    timing: {
      impactStart: utc(times.impactStart),
      detection: utc(times.detection),
      detectedBy,
      timeToDetect: span(f.toDetectSeconds),
      timeToAcknowledge: span(f.toAcknowledgeSeconds),
      timeToMitigate: span(f.toMitigateSeconds),
      timeToResolve: span(f.toResolveSeconds),
      impactDuration: span(f.impactSeconds),
    },
    slo: primary
      ? { id: primary.id, description: primary.description ?? null, objectivePercent: primary.objectivePercent, window: primary.window, owner: primary.owner ?? null, runbook: primary.runbook ?? null }
      : { id: 'none', objectivePercent: '—', window: '—' },
    summary: i.resolutionSummary,
    impact: {
      budgetSpentPercent: primary && consumedBudget(primary) !== null ? round2(consumedBudget(primary)!) : null,
      budgetRemainingPercent: primary?.budgetAtEnd != null ? round2(primary.budgetAtEnd) : null,
    },
    otherSlos: others.map((s) => ({ id: s.id, budgetSpentPercent: consumedBudget(s) === null ? null : round2(consumedBudget(s)!) })),
    detection: {
      firedAt: i.detectedAt.toISOString(),
      tier: input.firedTier ?? null,
      timeToDetect: span(f.toDetectSeconds),
      timeToAcknowledge: span(f.toAcknowledgeSeconds),
    },
    suspectedChange: input.suspectedChange ?? null,
    recovery: {
      timeToMitigate: span(f.toMitigateSeconds),
      timeToResolve: span(f.toResolveSeconds),
      actions: input.timeline
        .filter((e) => e.kind === 'action' && e.details)
        .map((e) => ({
          at: utc(e.at),
          actor: e.actor?.name ?? 'burnwatch',
          action: line(e.details!.action),
          target: e.details!.target ?? '',
          outcome: e.details!.outcome ?? 'no outcome recorded',
        })),
    },
    timeline: input.timeline.map((e) => ({ at: utc(e.at), actor: e.actor?.name ?? 'burnwatch', text: line(e.text) })),
  };
}

export function renderPostmortem(templateSource: string, input: PostmortemInput): string {
  // Markdown, not HTML: no entity escaping. A fresh environment keeps helpers local.
  const template = Handlebars.create().compile(templateSource, { noEscape: true, strict: false });
  return template(postmortemView(input));
}

export async function loadPostmortemTemplate(path: string = DEFAULT_POSTMORTEM_TEMPLATE): Promise<string> {
  return fs.readFile(path, 'utf8');
}
