// Escalation without a pager product, over the alert episodes the Slack bot keeps: every few
// seconds the leader looks at the open, unacknowledged pages of SLOs with `alerting.escalation`,
// and for each step that fell due (src/alerting/escalation.ts) writes, in one transaction, the
// step (once: its key is the episode and the step), the notification through the outbox, and a
// line on the incident's timeline. A Slack user group (`slack:@S0123`) is mentioned in the
// alert's own channel; a channel (`slack:#leads`) gets the notice; a pager service gets the page.
import type { Logger } from 'pino';
import { dueEscalations, type EscalationPolicy } from '../alerting/escalation.ts';
import type { Clock } from '../domain/clock.ts';
import { formatDuration } from '../domain/duration.ts';
import type { Slo } from '../domain/slo.ts';
import { addTimeline } from '../incidents/incident-store.ts';
import { type Db, withTransaction } from '../store/db.ts';
import { recordAudit } from '../store/repositories/audit-log.ts';
import { enqueue } from '../store/repositories/outbox.ts';

interface OpenPageRow {
  id: number | string;
  slo_id: string;
  channel: string;
  fired_at: Date;
  acknowledged_at: Date | null;
  incident_id: number | string | null;
  steps: number | string;
}

export interface EscalationDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  slo: (id: string) => Slo | undefined;
  isLeader: () => boolean;
  outboxWritten: () => void;
}

/** One pass: the steps that fell due, written; returns how many. */
export async function escalateDuePages(d: EscalationDeps): Promise<number> {
  const now = d.clock.now();
  const { rows } = await d.db.query<OpenPageRow>(
    `SELECT a.id, a.slo_id, a.channel, a.fired_at, a.acknowledged_at, a.incident_id,
            (SELECT count(*) FROM alert_escalations e WHERE e.alert_id = a.id) AS steps
       FROM slack_alerts a WHERE a.severity = 'page' AND a.state = 'firing'`,
  );
  const policyOf = (sloId: string): EscalationPolicy | undefined => d.slo(sloId)?.alerting.escalation;
  const byId = new Map(rows.map((r) => [String(r.id), r]));
  const due = dueEscalations(
    rows.map((r) => ({ key: String(r.id), sloId: r.slo_id, firedAt: r.fired_at, acknowledgedAt: r.acknowledged_at, stepsDone: Number(r.steps) })),
    policyOf,
    now,
  );
  let written = 0;
  for (const step of due) {
    const row = byId.get(step.key) as OpenPageRow;
    const after = formatDuration((step.dueAt.getTime() - row.fired_at.getTime()) / 1000);
    const mention = step.channel.startsWith('slack:@') ? `<!subteam^${step.channel.slice('slack:@'.length)}> ` : '';
    const text = `${mention}:rotating_light: *${step.sloId}* has paged for ${after} and nobody acknowledged it: escalation step ${step.step}.`;
    const channel = step.channel.startsWith('slack:@') ? `slack:${row.channel}` : step.channel;
    const wrote = await withTransaction(d.db, async (q) => {
      const { rowCount } = await q.query('INSERT INTO alert_escalations (alert_id, step, channel, notified_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING', [
        Number(row.id),
        step.step,
        step.channel,
        now,
      ]);
      if (rowCount !== 1) return false;
      const pager = channel.startsWith('pagerduty:') || channel.startsWith('opsgenie:');
      await enqueue(q, {
        idempotencyKey: `escalation:${row.id}:${step.step}|${channel}`,
        channel,
        kind: pager ? 'alert.firing' : 'escalation.page',
        payload: pager
          ? { alert: 'firing', slo: step.sloId, severity: 'page', since: row.fired_at.toISOString(), at: now.toISOString(), escalation: step.step, service: d.slo(step.sloId)?.service }
          : { slo: step.sloId, channel: channel.slice('slack:'.length), text },
        at: now,
      });
      if (row.incident_id !== null)
        await addTimeline(q, Number(row.incident_id), { at: now, kind: 'alert', actor: null, text: `Escalated (step ${step.step}) to ${step.channel}: not acknowledged after ${after}` }, `escalation:${row.id}:${step.step}`);
      await recordAudit(q, { at: now, actor: 'burnwatch', action: 'alert.escalated', target: step.sloId, result: 'ok', details: { step: step.step, channel: step.channel, alertId: Number(row.id) } });
      if (!d.isLeader()) throw new Error('lost leadership while escalating');
      return true;
    });
    if (wrote) written++;
  }
  if (written > 0) d.outboxWritten();
  return written;
}

/** Runs `escalateDuePages` on the leader every `everySeconds`; returns a stop function. */
export function startPageEscalation(d: EscalationDeps, everySeconds = 5): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running || !d.isLeader()) return;
    running = true;
    escalateDuePages(d)
      .catch((error: Error) => d.logger.warn({ err: error.message }, 'page escalation pass failed; it runs again shortly'))
      .finally(() => {
        running = false;
      });
  }, everySeconds * 1000);
  timer.unref();
  return () => clearInterval(timer);
}
