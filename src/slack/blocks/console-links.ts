// Links from Slack messages into the web console (BURNWATCH_PUBLIC_URL), and the SLO's
// own words for a message header. Without a public URL the messages carry no links.
import type { Button } from '@slack/types';
import type { Slo } from '../../domain/slo.ts';
import { ACTION } from '../action-ids.ts';

export interface ConsoleLinks {
  /** https://burnwatch.example.com, no trailing slash */
  publicUrl?: string | undefined;
  /** The loaded SLO of an id (for its description and indicator kind). */
  slo?: (id: string) => Slo | undefined;
  /** A runbook path's place in the playbooks folder ("ranking-latency.md"), when it is one. */
  playbook?: (runbook: string) => string | undefined;
}

const seg = (s: string) => encodeURIComponent(s);

export function sloUrl(links: ConsoleLinks | undefined, sloId: string): string | undefined {
  if (!links?.publicUrl) return undefined;
  const slash = sloId.indexOf('/');
  return `${links.publicUrl}/slos/${seg(sloId.slice(0, slash))}/${seg(sloId.slice(slash + 1))}`;
}

export function incidentUrl(links: ConsoleLinks | undefined, id: number): string | undefined {
  return links?.publicUrl ? `${links.publicUrl}/incidents/${id}` : undefined;
}

/** A runbook URL stays; a playbooks path becomes the console's page of it; anything else is not a link. */
export function runbookUrl(links: ConsoleLinks | undefined, runbook: string | null | undefined): string | undefined {
  if (!runbook) return undefined;
  if (/^https?:\/\//i.test(runbook)) return runbook;
  const rel = links?.publicUrl ? links.playbook?.(runbook) : undefined;
  return rel ? `${links!.publicUrl}/runbooks/${rel.split('/').map(seg).join('/')}` : undefined;
}

export function viewButton(url: string): Button {
  return { type: 'button', action_id: ACTION.openConsole, text: { type: 'plain_text', text: 'View in burnwatch' }, url };
}

/** 0.024 → "2.4 %", 0.001 → "0.1 %", 0.0005 → "0.05 %": two significant digits at most. */
export function ratioPercent(fraction: number): string {
  const p = fraction * 100;
  if (p === 0) return '0 %';
  const digits = p >= 10 ? 0 : Math.min(4, Math.max(1, 1 - Math.floor(Math.log10(p))));
  return `${Number(p.toFixed(digits))} %`;
}

/** What "bad" means for the SLI, in the reader's words. */
export function badWord(slo: Slo | undefined): string {
  switch (slo?.indicator.kind) {
    case 'latency':
      return 'slow';
    case 'ratio':
      return 'failing';
    case undefined:
      return 'bad';
    default:
      return 'of the time bad';
  }
}
