// The incident list and one incident's page, shaped for the templates. Pure.
import type { Slo } from '../domain/slo.ts';
import type { ActionSummary } from '../store/repositories/console-reads.ts';
import type { StoredEvaluation } from '../store/repositories/evaluations.ts';
import { formatBudget } from '../lifecycle/incident-figures.ts';
import { duration, pct, utc } from './format.ts';
import type { Incident, IncidentDetail } from './incident-reads.ts';
import { sloHref } from './overview-model.ts';
import { consoleStatus, STATUS_LABEL } from './status.ts';

const person = (p: { name: string; id: string } | null): string => (p ? p.name || p.id : '');

function sloLink(id: string, slos: readonly Slo[]) {
  const slo = slos.find((s) => s.id === id);
  return { id, href: slo ? sloHref(slo) : undefined, description: slo?.description ?? '' };
}

export function incidentRows(incidents: readonly Incident[], slos: readonly Slo[], now: Date) {
  return incidents.map((i) => ({
    id: i.id,
    title: i.title,
    status: i.status,
    severity: i.severity,
    commander: person(i.commander) || '—',
    slos: i.sloIds.map((id) => sloLink(id, slos)),
    opened: utc(i.openedAt),
    openedIso: i.openedAt.toISOString(),
    lasted: `${duration(((i.resolvedAt ?? now).getTime() - i.openedAt.getTime()) / 1000)}${i.resolvedAt ? '' : ' so far'}`,
  }));
}

export function incidentPage(
  detail: IncidentDetail,
  actions: readonly ActionSummary[],
  slos: readonly Slo[],
  latest: ReadonlyMap<string, StoredEvaluation>,
  now: Date,
  markdown: (text: string) => string,
) {
  const { incident: i, figures: f, timeline, postmortem } = detail;
  const running = (s: number | null) => (s === null ? 'not yet' : duration(s));
  // Each affected SLO's own figure; an open incident has no end budget yet: what it spent since the start, so far.
  const consumed = f.slos.map((s) => {
    const nowBudget = latest.get(s.sloId)?.budgetRemaining ?? null;
    const soFar = s.consumed === null && i.resolvedAt === null && s.budgetAtStart !== null && nowBudget !== null ? Math.max(0, s.budgetAtStart - nowBudget) : null;
    const open = i.resolvedAt === null;
    const text = s.consumed !== null ? `${formatBudget(s.consumed)}${open ? ' so far' : ''}` : soFar !== null ? `${formatBudget(soFar)} so far` : '—';
    return f.slos.length > 1 ? `${s.sloId} ${text}` : (text ?? '—');
  });
  const primary = f.slos[0];
  return {
    i: {
      id: i.id,
      title: i.title,
      status: i.status,
      severity: i.severity,
      source: i.source === 'alert' ? 'opened from an alert' : i.source === 'auto' ? 'opened automatically on a page' : i.source === 'alertmanager' ? 'from Alertmanager' : 'opened by command',
      opened: utc(i.openedAt),
      openedBy: person(i.openedBy),
      commander: person(i.commander) || 'nobody yet',
      channel: i.channelName,
      resolutionSummary: i.resolutionSummary,
    },
    f: {
      ttd: duration(f.toDetectSeconds),
      tta: running(f.toAcknowledgeSeconds),
      ttm: running(f.toMitigateSeconds),
      ttr: i.resolvedAt ? duration(f.toResolveSeconds) : `open ${duration((now.getTime() - f.detection.getTime()) / 1000)}`,
      consumed: consumed.join(' · ') || '—',
      budgetSpan:
        primary?.budgetAtStart == null
          ? ''
          : `${primary.sloId}: ${pct(primary.budgetAtStart)} left at the impact start${primary.budgetAtEnd !== null ? `, ${pct(primary.budgetAtEnd)} ${i.resolvedAt === null ? 'now' : 'at the end'}` : ''}`,
    },
    slos: i.sloIds.map((id) => {
      const status = latest.has(id) ? consoleStatus(latest.get(id)!.status) : undefined;
      return { ...sloLink(id, slos), status, statusLabel: status ? STATUS_LABEL[status] : undefined };
    }),
    timeline: timeline.map((t) => ({ when: utc(t.at), iso: t.at.toISOString(), kind: t.kind, actor: t.actor ? person(t.actor) : 'burnwatch', text: t.text })),
    actions: actions.map((a) => ({
      when: utc(a.requestedAt),
      kind: a.kind,
      dryRun: a.dryRun,
      target: `${a.namespace}/${a.target}`,
      by: a.requestedBy,
      state: a.state,
      result: a.error ?? a.result ?? '',
    })),
    postmortem: postmortem ? markdown(postmortem.markdown) : undefined,
    postmortemAt: postmortem ? utc(postmortem.renderedAt) : undefined,
  };
}
