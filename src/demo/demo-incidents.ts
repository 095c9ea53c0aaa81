// The demo's incidents, run as the week unfolds through the service's own incident store
// and lifecycle: the demo plays the on-call (opens an incident at the first page, adds the
// SLOs that page while it is open, acknowledges 4 minutes after the page, resolves it once
// every alert of its SLOs has), the evaluation cycle marks it mitigated when the burn stops,
// and the post-mortems, the weekly report and the figures all read the one stored record.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { AlertIntent } from '../alerting/state-machine.ts';
import { fixedClock } from '../domain/clock.ts';
import { parseDuration } from '../domain/duration.ts';
import type { Slo } from '../domain/slo.ts';
import { buildPostmortem } from '../incidents/build-postmortem.ts';
import { addSloToIncident, addTimeline, getIncident, type IncidentRow, insertIncident, updateIncident } from '../incidents/incident-store.ts';
import { estimateOnset, resolve } from '../incidents/lifecycle.ts';
import { loadPostmortemTemplate } from '../incidents/postmortem.ts';
import type { Person } from '../incidents/types.ts';
import { notificationPayload } from '../service/evaluation-cycle.ts';
import type { Db } from '../store/db.ts';
import type { InjectedIncident } from './telemetry.ts';
import { describeNotification } from './timeline-notifier.ts';

const ON_CALL: Person = { id: 'U0DEMO', name: 'demo on-call' };
/** How long the demo on-call takes to acknowledge a page. */
const ACK_SECONDS = 4 * 60;

export class DemoOnCall {
  readonly #db: Db;
  readonly #slos: readonly Slo[];
  readonly #stories: readonly InjectedIncident[];
  /** Firing alerts: "slo tier". */
  readonly #firing = new Set<string>();
  #open: IncidentRow | undefined;
  readonly incidentIds: number[] = [];

  constructor(db: Db, slos: readonly Slo[], stories: readonly InjectedIncident[]) {
    this.#db = db;
    this.#slos = slos;
    this.#stories = stories;
  }

  /** What the on-call does after one evaluation cycle. */
  async afterCycle(intents: readonly AlertIntent[], at: Date): Promise<void> {
    for (const intent of intents) {
      if ((intent.kind !== 'firing' && intent.kind !== 'resolved') || !intent.tierKey) continue;
      const key = `${intent.sloId} ${intent.tierKey}`;
      if (intent.kind === 'firing') this.#firing.add(key);
      else this.#firing.delete(key);
      if (intent.kind === 'firing' && intent.severity === 'page') {
        if (!this.#open) await this.open(intent);
        else if (!this.#open.sloIds.includes(intent.sloId)) this.#open = await addSloToIncident(this.#db, this.#open, intent.sloId);
      }
      if (this.#open?.sloIds.includes(intent.sloId)) {
        const slo = this.#slos.find((s) => s.id === intent.sloId);
        const text = describeNotification({ kind: `alert.${intent.kind}`, payload: notificationPayload(intent, slo) }).replace(/\s+/g, ' ');
        await addTimeline(this.#db, this.#open.id, { at: new Date(intent.at), kind: 'alert', actor: null, text }, `demo:${intent.idempotencyKey}`);
      }
    }
    const open = this.#open;
    if (open && ![...this.#firing].some((k) => open.sloIds.some((id) => k.startsWith(`${id} `)))) await this.resolve(at);
  }

  private story(sloId: string, firedAt: Date): InjectedIncident | undefined {
    return this.#stories.find((s) => s.slos.includes(sloId) && s.start <= firedAt && firedAt <= new Date(s.end.getTime() + 6 * 3600_000));
  }

  private async open(intent: AlertIntent): Promise<void> {
    const firedAt = new Date(intent.at);
    const tier = intent.tier;
    const startedAt = tier ? estimateOnset(firedAt, { longSeconds: parseDuration(tier.long), longBurnRate: tier.longBurnRate, shortBurnRate: tier.shortBurnRate }) : firedAt;
    const story = this.story(intent.sloId, firedAt);
    const { incident } = await insertIncident(this.#db, {
      key: `demo:${intent.idempotencyKey}`,
      title: story?.title ?? `${intent.sloId}: ${intent.tierKey}`,
      severity: 'page',
      source: 'auto',
      sloIds: [intent.sloId],
      alertId: null,
      openedAt: firedAt,
      openedBy: null,
      startedAt,
      detectedAt: firedAt,
      acknowledgedAt: new Date(firedAt.getTime() + ACK_SECONDS * 1000),
      usergroup: null,
      budgetAtStart: intent.evaluation.errorBudgetRemaining,
    });
    await updateIncident(this.#db, incident.id, { commander: ON_CALL });
    await addTimeline(this.#db, incident.id, { at: startedAt, kind: 'alert', actor: null, text: 'Burn started (estimated from the burn rates)' }, `onset:${incident.id}`);
    await addTimeline(this.#db, incident.id, { at: new Date(firedAt.getTime() + ACK_SECONDS * 1000), kind: 'click', actor: ON_CALL, text: `${ON_CALL.name} acknowledged` });
    this.#open = (await getIncident(this.#db, incident.id))!;
    this.incidentIds.push(incident.id);
  }

  /** Resolves the open incident (at the end of the week, one still open is resolved then). */
  async resolve(at: Date): Promise<void> {
    const open = this.#open ? await getIncident(this.#db, this.#open.id) : undefined;
    this.#open = undefined;
    if (!open || open.status === 'resolved') return;
    // The demo plays the on-call: the story it injected is what they would write down.
    const story = this.story(open.sloIds[0] ?? '', open.detectedAt);
    if (story) await addTimeline(this.#db, open.id, { at: story.end, kind: 'note', actor: ON_CALL, text: story.resolution });
    const step = resolve(open, ON_CALL, at, story ? `${story.story}; ${story.resolution}.` : 'every alert of its SLOs resolved');
    await updateIncident(this.#db, open.id, step.changes);
    await addTimeline(this.#db, open.id, step.entry);
  }
}

export async function writePostmortems(o: { db: Db; root: string; dir: string; slos: readonly Slo[]; incidentIds: readonly number[] }): Promise<string[]> {
  const files: string[] = [];
  await mkdir(o.dir, { recursive: true });
  for (const id of o.incidentIds) {
    const incident = (await getIncident(o.db, id))!;
    const markdown = await buildPostmortem(
      {
        db: o.db,
        clock: fixedClock(incident.resolvedAt ?? incident.openedAt),
        slo: (sloId) => o.slos.find((s) => s.id === sloId),
        postmortemTemplate: (ids) => {
          const template = o.slos.find((s) => s.id === ids[0])?.alerting.postmortemTemplate;
          return loadPostmortemTemplate(template ? path.resolve(o.root, template) : undefined);
        },
      },
      id,
    );
    const file = path.join(o.dir, `INC-${id}-${(incident.sloIds[0] ?? 'incident').replace(/[^a-z0-9]+/gi, '-')}.md`);
    await writeFile(file, markdown);
    files.push(file);
  }
  return files;
}
