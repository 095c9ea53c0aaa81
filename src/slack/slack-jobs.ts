// Slack side effects are outbox messages: decided (with the state change) in one
// transaction, delivered by the Slack notifier, retried after 429/500 and a restart.
// Each job re-renders from the store, so running one twice is harmless. Jobs of one
// alert channel or one incident share an outbox channel and so run in order.
import { randomUUID } from 'node:crypto';
import { enqueue } from '../store/repositories/outbox.ts';
import type { Queryable } from '../store/repositories/queryable.ts';

export type SlackJob =
  /** Post the alert message, or update it in place. */
  | { kind: 'slack.alert.sync'; alertId: number }
  /** Create the incident channel, invite on-call, post and pin the summary (or update it). */
  | { kind: 'slack.incident.sync'; incidentId: number }
  /** Post one message into the incident channel (once per key). */
  | { kind: 'slack.incident.post'; incidentId: number; key: string; text: string }
  /** Fetch a :pushpin:-ed message and add it to the timeline. */
  | { kind: 'slack.incident.pin'; incidentId: number; channel: string; ts: string; user: string; at: string }
  /** Render, store and post the post-mortem draft. */
  | { kind: 'slack.postmortem'; incidentId: number; key?: string };

export type SlackJobKind = SlackJob['kind'];
export const SLACK_JOB_KINDS: readonly SlackJobKind[] = [
  'slack.alert.sync',
  'slack.incident.sync',
  'slack.incident.post',
  'slack.incident.pin',
  'slack.postmortem',
];

export function isSlackJob(kind: string): kind is SlackJobKind {
  return (SLACK_JOB_KINDS as readonly string[]).includes(kind);
}

/** The outbox lane: per alert channel, or per incident (its channel may not exist yet). */
export function laneOf(job: SlackJob, alertChannel?: string): string {
  if (job.kind === 'slack.alert.sync') return `slack:${alertChannel ?? 'alerts'}`;
  return `slack:incident-${job.incidentId}`;
}

export async function enqueueSlackJob(q: Queryable, job: SlackJob, at: Date, opts: { lane: string; key?: string }): Promise<void> {
  const { kind, ...payload } = job;
  await enqueue(q, { idempotencyKey: opts.key ?? `${kind}:${randomUUID()}`, channel: opts.lane, kind, payload, at });
}

/** Enqueues a job the bot decided itself (not a desk's), in its lane. */
export async function enqueueSlackJobNow(q: Queryable, job: SlackJob, at: Date): Promise<void> {
  await enqueueSlackJob(q, job, at, { lane: laneOf(job) });
}

export function jobFrom(kind: string, payload: Record<string, unknown>): SlackJob {
  return { kind, ...payload } as SlackJob;
}

