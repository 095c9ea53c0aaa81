// `/slo [id|service]`: status, budget and what is burning, from the latest evaluations.
import type { KnownBlock } from '@slack/types';
import type { StoredEvaluation } from '../../store/repositories/evaluations.ts';
import { burn, humanDuration, percent, slackDate } from './format.ts';
import { capBlocks, clip, escapeMrkdwn } from './limits.ts';
import type { RenderedMessage } from './alert-message.ts';

const ICON: Record<string, string> = { ok: ':large_green_circle:', ticket: ':large_yellow_circle:', page: ':red_circle:', unknown: ':grey_question:', error: ':warning:' };

export function renderSloStatus(evaluations: StoredEvaluation[], query: string): RenderedMessage {
  if (evaluations.length === 0) {
    return { text: `No SLO matches "${query}".`, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: clip(`No evaluated SLO matches \`${escapeMrkdwn(query || '*')}\`. Try \`/slo\` for all of them.`) } }] };
  }
  const sorted = [...evaluations].sort((a, b) => severityRank(b.status) - severityRank(a.status) || a.sloId.localeCompare(b.sloId));
  const blocks: KnownBlock[] = [{ type: 'header', text: { type: 'plain_text', text: query ? `SLOs matching ${query}`.slice(0, 150) : 'SLO status' } }];
  for (const e of sorted) {
    const firing = e.tiers.filter((t) => t.firing).map((t) => `${t.long}/${t.short} ${burn(t.longBurnRate)}/${burn(t.shortBurnRate)} > ${burn(t.factor)}`);
    const lines = [
      `${ICON[e.status] ?? ''} *${escapeMrkdwn(e.sloId)}* — ${e.status} · SLI ${percent(e.sli, 3)} (objective ${percent(e.objective, 2)})`,
      `budget left ${percent(e.budgetRemaining)}${e.timeToExhaustionSeconds !== null ? ` · exhausted in ${humanDuration(e.timeToExhaustionSeconds)} at this rate` : ''} · ${slackDate(e.evaluatedAt)}`,
    ];
    if (firing.length) lines.push(`:fire: burning: ${firing.join('; ')}`);
    if (e.error) lines.push(`:warning: ${escapeMrkdwn(e.error)}`);
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: clip(lines.join('\n')) } });
  }
  return { text: `${evaluations.length} SLO(s)`, blocks: capBlocks(blocks) };
}

function severityRank(status: string): number {
  return { page: 4, ticket: 3, error: 2, unknown: 1, ok: 0 }[status] ?? 0;
}
