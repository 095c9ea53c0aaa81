// The incident list and one incident's page, shaped for the templates. Pure.
import type { Slo } from '../domain/slo.ts';
import type { ActionSummary } from '../store/repositories/console-reads.ts';
import type { StoredEvaluation } from '../store/repositories/evaluations.ts';
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
  // An open incident has no end budget yet: what its first SLO has spent since the start, so far.
  const nowBudget = i.sloIds[0] !== undefined ? (latest.get(i.sloIds[0])?.budgetRemaining ?? null) : null;
  const soFar = f.budgetConsumed === null && i.resolvedAt === null && i.budgetAtStart !== null && nowBudget !== null ? i.budgetAtStart - nowBudget : null;
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
      consumed: f.budgetConsumed !== null ? pct(f.budgetConsumed) : soFar !== null ? `${pct(soFar)} so far` : '—',
      budgetSpan:
        i.budgetAtStart === null
          ? ''
          : `${pct(i.budgetAtStart)} at the start${i.budgetAtEnd !== null ? `, ${pct(i.budgetAtEnd)} at the end` : soFar !== null ? `, ${pct(nowBudget)} now` : ''}`,
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
