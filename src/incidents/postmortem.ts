// The post-mortem draft: what burnwatch knows about an incident (SLOs, budget consumed per
// SLO, time to detect/acknowledge/mitigate/resolve — all from src/lifecycle/incident-figures.ts,
// the one definition the report and the API use too — actions, the full timeline) rendered
// into the Handlebars template from playbooks/.
import fs from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import { budgetPercent, formatSpan, type IncidentFigures, incidentFigures, MITIGATED_DEFINITION } from '../lifecycle/incident-figures.ts';
import { utc } from '../domain/utc.ts';
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
  /** This SLO's own budget remaining (fraction of its period's budget) at the impact start, and at the end (incident_slos). */
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
  /** Pages sent to PagerDuty / Opsgenie for the incident's SLOs, and who acknowledged the alert. */
  paging?: { paged: Array<{ channel: string; at: Date; deliveredAt: Date | null; escalationStep: number | null }>; acknowledged: { by: string; at: Date } | null };
  generatedAt: Date;
}

/** The incident's figures (one definition: src/lifecycle/incident-figures.ts). */
export function postmortemFigures(input: PostmortemInput): IncidentFigures {
  return incidentFigures({ ...input.incident, slos: input.slos.map((s) => ({ sloId: s.id, budgetAtStart: s.budgetAtStart, budgetAtEnd: s.budgetAtEnd })) });
}

/** A newline would break a list item. */
const line = (text: string): string => text.replace(/\s*\n\s*/g, ' ');
const span = formatSpan;
const round2 = budgetPercent;

/** The variables of playbooks/postmortem.md.hbs (its header documents them). */
export function postmortemView(input: PostmortemInput): Record<string, unknown> {
  const i = input.incident;
  const f = postmortemFigures(input);
  const spent = (id: string) => {
    const consumed = f.slos.find((s) => s.sloId === id)?.consumed ?? null;
    return consumed === null ? null : round2(consumed);
  };
  // An incident opened by hand was detected by the person who opened it, not by a page.
  const detectedBy = i.source === 'command' ? 'incident opened' : 'first page';
  const [primary, ...others] = input.slos;
  return {
    generatedAt: utc(input.generatedAt),
    incident: {
      id: `#${i.id}`,
      title: i.title,
      severity: i.severity,
      channel: i.channelName ? `#${i.channelName}` : null,
      commander: i.commander?.name ?? null,
      openedAt: i.openedAt.toISOString(),
      resolvedAt: i.resolvedAt?.toISOString() ?? null,
      /** First page → resolved (the same as timing.timeToResolve). */
      duration: span(f.toResolveSeconds),
    },
    timing: {
      impactStart: utc(f.impactStart),
      detection: utc(f.detection),
      detectedBy,
      timeToDetect: span(f.toDetectSeconds),
      timeToAcknowledge: span(f.toAcknowledgeSeconds),
      timeToMitigate: span(f.toMitigateSeconds),
      timeToResolve: span(f.toResolveSeconds),
      impactDuration: span(f.impactSeconds),
      mitigatedDefinition: MITIGATED_DEFINITION,
    },
    slo: primary
      ? { id: primary.id, description: primary.description ?? null, objectivePercent: primary.objectivePercent, window: primary.window, owner: primary.owner ?? null, runbook: primary.runbook ?? null }
      : { id: 'none', objectivePercent: '—', window: '—' },
    summary: i.resolutionSummary,
    impact: {
      budgetSpentPercent: primary ? spent(primary.id) : null,
      budgetRemainingPercent: primary?.budgetAtEnd != null ? round2(primary.budgetAtEnd) : null,
    },
    otherSlos: others.map((s) => ({ id: s.id, budgetSpentPercent: spent(s.id) })),
    detection: {
      firedAt: i.detectedAt.toISOString(),
      tier: input.firedTier ?? null,
      timeToDetect: span(f.toDetectSeconds),
      timeToAcknowledge: span(f.toAcknowledgeSeconds),
      paged: (input.paging?.paged ?? []).map((p) => ({
        channel: p.channel,
        at: p.at.toISOString(),
        delivered: p.deliveredAt ? p.deliveredAt.toISOString() : null,
        escalation: p.escalationStep,
      })),
      acknowledgedBy: input.paging?.acknowledged ? `${input.paging.acknowledged.by} at ${input.paging.acknowledged.at.toISOString()}` : null,
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
