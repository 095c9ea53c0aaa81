// How the alert and incident lifecycle behaves whatever channels show it, from the
// environment: BURNWATCH_INCIDENT_AUTO_OPEN (SLACK_INCIDENT_AUTO_OPEN, its older name, still
// counts) and BURNWATCH_RUNBOOK_BASE_URL.
import { z } from 'zod';
import type { IncidentSettings } from './incident-desk.ts';

const flag = z.enum(['true', 'false']);
const env = z.object({
  BURNWATCH_INCIDENT_AUTO_OPEN: flag.optional(),
  SLACK_INCIDENT_AUTO_OPEN: flag.optional(),
  BURNWATCH_RUNBOOK_BASE_URL: z.url().optional(),
});

/** Throws a message naming the variable when one is malformed. */
export function loadIncidentSettings(source: NodeJS.ProcessEnv): IncidentSettings {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== ''));
  const parsed = env.safeParse(cleaned);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`invalid incident configuration: ${String(issue.path[0])}: ${issue.message}`);
  }
  const e = parsed.data;
  return {
    autoOpenIncidentOnPage: (e.BURNWATCH_INCIDENT_AUTO_OPEN ?? e.SLACK_INCIDENT_AUTO_OPEN) === 'true',
    runbookBaseUrl: e.BURNWATCH_RUNBOOK_BASE_URL,
  };
}
