// The post-mortem of an incident rendered from the store: the incident with its figures
// (incident-record.ts), its timeline, the alert it came from. Used by the Slack bot, the
// demo and `burnwatch postmortem`.
import type { Clock } from '../domain/clock.ts';
import type { Slo } from '../domain/slo.ts';
import { getAlert } from './alert-store.ts';
import type { Db } from '../store/db.ts';
import { pagerDeliveries } from '../store/repositories/pager-deliveries.ts';
import { readIncident } from './incident-record.ts';
import { listTimeline } from './incident-store.ts';
import { type AffectedSlo, renderPostmortem } from './postmortem.ts';

/** Renders the post-mortem of an incident from the store (also used by `burnwatch postmortem`). */
export async function buildPostmortem(
  deps: { db: Db; clock: Clock; slo: (id: string) => Slo | undefined; postmortemTemplate: (sloIds: string[]) => Promise<string> },
  incidentId: number,
): Promise<string> {
  const { db, clock } = deps;
  const record = await readIncident(db, incidentId);
  if (!record) throw new Error(`no incident #${incidentId}`);
  const { incident } = record;
  const timeline = await listTimeline(db, incidentId);
  const slos: AffectedSlo[] = [];
  let suspected: string | null = null;
  const alert = incident.alertId !== null ? await getAlert(db, incident.alertId) : undefined;
  for (const { sloId: id, budgetAtStart, budgetAtEnd } of record.slos) {
    const slo = deps.slo(id);
    slos.push({
      id,
      name: slo?.name ?? alert?.snapshot.sloName ?? id,
      objectivePercent: slo?.objectivePercent ?? alert?.snapshot.objectivePercent ?? 0,
      window: slo?.window ?? alert?.snapshot.window ?? '',
      description: slo?.description ?? null,
      owner: slo?.owner ?? alert?.snapshot.owner ?? null,
      runbook: alert?.snapshot.runbook ?? slo?.alerting.runbook ?? null,
      budgetAtStart,
      budgetAtEnd,
    });
  }
  const c = alert?.snapshot.suspectedChange;
  if (c) suspected = `${c.kind} \`${c.subject}\` at ${c.at.toISOString()}: ${c.summary}${c.actor ? ` (by ${c.actor})` : ''}`;
  const firedTier = alert?.snapshot.firedTier ?? null;
  const template = await deps.postmortemTemplate(record.slos.map((s) => s.sloId));
  // Who was paged (the pager deliveries from an hour before the impact to the end) and who acknowledged.
  const from = new Date(incident.startedAt.getTime() - 3_600_000);
  const paged = (await pagerDeliveries(db, record.slos.map((s) => s.sloId), from, incident.resolvedAt ?? clock.now()))
    .filter((p) => p.kind === 'alert.firing')
    .map((p) => ({ channel: p.channel, at: p.createdAt, deliveredAt: p.deliveredAt, escalationStep: p.escalationStep }));
  const acknowledged = alert?.acknowledgedBy && alert.acknowledgedAt ? { by: alert.acknowledgedBy.name, at: alert.acknowledgedAt } : null;
  return renderPostmortem(template, { incident, timeline, slos, firedTier, suspectedChange: suspected, paging: { paged, acknowledged }, generatedAt: clock.now() });
}
