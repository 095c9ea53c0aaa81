// Known incidents against the alerts a policy would have sent: precision and recall.
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { z } from 'zod';
import { overlaps } from './compare.ts';
import type { SloBacktest } from './replay.ts';

const instant = z.union([z.string(), z.date()]).transform((v, ctx) => {
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) {
    ctx.addIssue({ code: 'custom', message: `not a date: ${String(v)}` });
    return z.NEVER;
  }
  return d.toISOString();
});
const incidentSchema = z.strictObject({ slo: z.string(), start: instant, end: instant, title: z.string().optional() });
const fileSchema = z.union([z.array(incidentSchema), z.strictObject({ incidents: z.array(incidentSchema) })]);

export type Incident = z.infer<typeof incidentSchema>;

export async function loadIncidents(file: string): Promise<Incident[]> {
  let raw: unknown;
  try {
    raw = parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file}: cannot read the incidents file: ${(error as Error).message}`, { cause: error });
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${file}: ${issue.path.join('.') || '(top level)'}: ${issue.message} (expected a list of { slo, start, end, title? })`);
  }
  return Array.isArray(parsed.data) ? parsed.data : parsed.data.incidents;
}

export interface IncidentMatch {
  incident: Incident;
  detected: boolean;
  /** Seconds from the incident's start to the first alert overlapping it (negative: alerted before it was declared). */
  delaySeconds: number | null;
}

export interface IncidentScore {
  alerts: number;
  truePositives: number;
  /** Share of alerts that overlap a known incident of their SLO; null without alerts. */
  precision: number | null;
  /** Share of incidents at least one alert overlapped; null without incidents. */
  recall: number | null;
  incidents: IncidentMatch[];
  /** Incidents of SLOs that were not backtested. */
  ignored: Incident[];
}

/** Alerts are the firings that notified someone (pages and tickets). */
export function scoreIncidents(results: readonly SloBacktest[], incidents: readonly Incident[]): IncidentScore {
  const byId = new Map(results.map((r) => [r.id, r]));
  const relevant = incidents.filter((i) => byId.has(i.slo));
  let alerts = 0;
  let truePositives = 0;
  for (const r of results) {
    for (const f of r.firings.filter((x) => x.notifiedAt !== null)) {
      alerts++;
      if (relevant.some((i) => i.slo === r.id && overlaps(f, i, r.to))) truePositives++;
    }
  }
  const matches = relevant.map((incident) => {
    const r = byId.get(incident.slo)!;
    const hits = r.firings.filter((f) => f.notifiedAt !== null && overlaps(f, incident, r.to)).sort((a, b) => a.start.localeCompare(b.start));
    const first = hits[0];
    return {
      incident,
      detected: first !== undefined,
      delaySeconds: first ? (Date.parse(first.start) - Date.parse(incident.start)) / 1000 : null,
    };
  });
  return {
    alerts,
    truePositives,
    precision: alerts > 0 ? truePositives / alerts : null,
    recall: relevant.length > 0 ? matches.filter((m) => m.detected).length / relevant.length : null,
    incidents: matches,
    ignored: incidents.filter((i) => !byId.has(i.slo)),
  };
}
