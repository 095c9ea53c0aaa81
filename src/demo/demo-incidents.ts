// The demo's incidents: what the on-call would have opened from the pages of the week,
// stored with the incident module's own store (so the weekly report counts them) and
// rendered into post-mortems with its own renderer and the playbook template.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fixedClock } from '../domain/clock.ts';
import type { Slo } from '../domain/slo.ts';
import { addTimeline, insertIncident, updateIncident } from '../incidents/incident-store.ts';
import { estimateOnset } from '../incidents/lifecycle.ts';
import { loadPostmortemTemplate } from '../incidents/postmortem.ts';
import type { Person } from '../incidents/types.ts';
import type { Notification } from '../notify/notifier.ts';
import { buildPostmortem } from '../slack/slack-notifier.ts';
import type { Db } from '../store/db.ts';
import type { InjectedIncident } from './telemetry.ts';
import { describeNotification } from './timeline-notifier.ts';

const ON_CALL: Person = { id: 'U0DEMO', name: 'demo on-call' };

interface Episode {
  sloIds: string[];
  firstPage: Notification;
  notifications: Notification[];
  mitigatedAt: Date | null;
  resolvedAt: Date | null;
}

const atOf = (n: Notification) => new Date(String(n.payload.at));

/**
 * A page opens an incident unless one is already open (then it joins it); the incident is
 * mitigated when its last page resolves and resolved when all its alerts have.
 */
export function episodesOf(notifications: readonly Notification[]): Episode[] {
  const episodes: Episode[] = [];
  const firing = new Map<string, Set<string>>();
  let open: Episode | undefined;
  for (const n of notifications) {
    const slo = String(n.payload.slo);
    const key = `${slo} ${String(n.payload.tier)}`;
    if (n.kind === 'alert.firing') {
      if (n.payload.severity === 'page' && !open) {
        open = { sloIds: [], firstPage: n, notifications: [], mitigatedAt: null, resolvedAt: null };
        episodes.push(open);
      }
      firing.set(key, new Set([...(firing.get(key) ?? []), String(n.payload.severity)]));
    } else if (n.kind === 'alert.resolved') {
      firing.delete(key);
    }
    if (!open) continue;
    if (n.kind === 'alert.firing' && n.payload.severity === 'page' && !open.sloIds.includes(slo)) open.sloIds.push(slo);
    if (!open.sloIds.includes(slo)) continue;
    open.notifications.push(n);
    const pagesLeft = [...firing].some(([k, s]) => open!.sloIds.some((id) => k.startsWith(`${id} `)) && s.has('page'));
    const anyLeft = [...firing.keys()].some((k) => open!.sloIds.some((id) => k.startsWith(`${id} `)));
    if (!pagesLeft && open.mitigatedAt === null && n.kind === 'alert.resolved') open.mitigatedAt = atOf(n);
    if (!anyLeft && n.kind === 'alert.resolved') {
      open.resolvedAt = atOf(n);
      open = undefined;
    }
  }
  return episodes;
}

export async function writePostmortems(o: {
  db: Db;
  /** Relative template paths resolve against it. */
  root: string;
  dir: string;
  slos: readonly Slo[];
  notifications: readonly Notification[];
  stories: readonly InjectedIncident[];
  end: Date;
}): Promise<string[]> {
  const files: string[] = [];
  await mkdir(o.dir, { recursive: true });
  for (const [i, e] of episodesOf(o.notifications).entries()) {
    const page = e.firstPage;
    const firedAt = atOf(page);
    const signal = page.payload.signal as { longBurnRate: number | null; shortBurnRate: number | null } | undefined;
    const tier = o.slos.find((s) => s.id === page.payload.slo)?.alerting.tiers.find((t) => `${t.severity}-${t.long}-${t.short}` === page.payload.tier);
    const startedAt = tier && signal ? estimateOnset(firedAt, { longSeconds: tier.longSeconds, ...signal }) : firedAt;
    // The demo plays the on-call: the story it injected is what they would write down.
    const story = o.stories.find((s) => s.slos.some((id) => e.sloIds.includes(id)) && s.start <= firedAt && firedAt <= new Date(s.end.getTime() + 6 * 3600_000));
    const { incident } = await insertIncident(o.db, {
      key: `demo-${i + 1}-${firedAt.toISOString()}`,
      title: story?.title ?? `${e.sloIds.join(', ')}: ${String(page.payload.tier)}`,
      severity: 'page',
      source: 'alert',
      sloIds: e.sloIds,
      alertId: null,
      openedAt: firedAt,
      openedBy: null,
      startedAt,
      detectedAt: firedAt,
      acknowledgedAt: new Date(firedAt.getTime() + 4 * 60_000),
      usergroup: null,
      budgetAtStart: typeof page.payload.errorBudgetRemaining === 'number' ? page.payload.errorBudgetRemaining : null,
    });
    // Budgets are the primary SLO's (the one that paged first), at the page and at the end.
    const last = e.notifications.filter((n) => n.payload.slo === page.payload.slo).at(-1)!;
    const resolvedAt = e.resolvedAt ?? o.end;
    await updateIncident(o.db, incident.id, {
      status: 'resolved',
      commander: ON_CALL,
      mitigatedAt: e.mitigatedAt,
      resolvedAt,
      resolutionSummary: story ? `${story.story}; ${story.resolution}.` : null,
      budgetAtEnd: typeof last.payload.errorBudgetRemaining === 'number' ? last.payload.errorBudgetRemaining : null,
    });
    for (const n of e.notifications) {
      await addTimeline(o.db, incident.id, { at: atOf(n), kind: 'alert', actor: null, text: describeNotification(n).replace(/\s+/g, ' ') });
    }
    if (story) {
      await addTimeline(o.db, incident.id, { at: story.end, kind: 'note', actor: ON_CALL, text: story.resolution });
    }
    const markdown = await buildPostmortem(
      {
        db: o.db,
        clock: fixedClock(resolvedAt),
        slo: (id) => o.slos.find((s) => s.id === id),
        postmortemTemplate: (ids) => {
          const template = o.slos.find((s) => s.id === ids[0])?.alerting.postmortemTemplate;
          return loadPostmortemTemplate(template ? path.resolve(o.root, template) : undefined);
        },
      },
      incident.id,
    );
    const file = path.join(o.dir, `INC-${incident.id}-${(e.sloIds[0] ?? 'incident').replace(/[^a-z0-9]+/gi, '-')}.md`);
    await writeFile(file, markdown);
    files.push(file);
  }
  return files;
}
