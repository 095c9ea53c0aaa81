import { describe, expect, it } from 'vitest';
import type { AlertRecord } from '../../incidents/types.ts';
import { ACTION } from '../action-ids.ts';
import { renderAlertMessage } from './alert-message.ts';
import { capBlocks, chunkLines } from './limits.ts';

function alert(over: Partial<AlertRecord> = {}): AlertRecord {
  return {
    id: 12, sloId: 'ranker/latency', severity: 'page', state: 'firing', channel: 'C1',
    firedAt: new Date('2026-11-22T03:05:00Z'), acknowledgedAt: null, acknowledgedBy: null, resolvedAt: null,
    silence: null, incidentId: null, budgetAtFiring: 0.9,
    snapshot: {
      sloName: 'Ranker latency', service: 'ranker', objectivePercent: 99.9, window: '30d', runbook: 'https://runbooks.example/ranker',
      evaluatedAt: new Date('2026-11-22T03:05:00Z'), sli: 0.99, budgetRemaining: 0.9, timeToExhaustionSeconds: 5400,
      tiers: [
        { severity: 'page', long: '1h', short: '5m', factor: 14.4, longBurnRate: 20.5, shortBurnRate: 100, firing: true },
        { severity: 'page', long: '6h', short: '30m', factor: 6, longBurnRate: 3.2, shortBurnRate: 19, firing: false },
      ],
      suspectedChange: { at: new Date('2026-11-22T02:58:00Z'), kind: 'deploy', subject: 'ranker v42', summary: 'new HSTU model', actor: 'ci' },
    },
    ...over,
  };
}

const text = (blocks: unknown[]) => JSON.stringify(blocks);

describe('alert message', () => {
  it('shows severity, the windows that fired against the factor, budget, runbook, suspected change and buttons', () => {
    const m = renderAlertMessage(alert(), new Date('2026-11-22T03:06:00Z'));
    const all = text(m.blocks);
    expect(all).toContain('*1h/5m* (page): long 20.5× · short 100× vs factor 14.4×');
    expect(all).toContain('90.0%');
    expect(all).toContain('1h 30m');
    expect(all).toContain('<https://runbooks.example/ranker|open runbook>');
    expect(all).toContain('ranker v42');
    const actions = m.blocks.find((b) => b.type === 'actions') as { elements: Array<{ action_id: string }> };
    expect(actions.elements.map((e) => e.action_id)).toEqual([ACTION.alertOpenIncident, ACTION.alertAck, ACTION.alertSilence]);
  });

  it('drops the buttons when resolved and says who acknowledged', () => {
    const m = renderAlertMessage(alert({ state: 'resolved', resolvedAt: new Date('2026-11-22T03:40:00Z'), acknowledgedAt: new Date('2026-11-22T03:07:00Z'), acknowledgedBy: { id: 'UA', name: 'alice' } }), new Date());
    expect(m.blocks.some((b) => b.type === 'actions')).toBe(false);
    expect(text(m.blocks)).toContain('Acknowledged by <@UA>');
    expect(m.text).toMatch(/^RESOLVED page/);
  });

  it('takes extra (remediation) buttons from a hook', () => {
    const m = renderAlertMessage(alert(), new Date(), (a) => [{ type: 'button', action_id: 'rollback', text: { type: 'plain_text', text: 'Roll back' }, value: String(a.id) }]);
    expect(text(m.blocks)).toContain('"action_id":"rollback"');
  });
});

describe('Block Kit limits', () => {
  it('keeps at most 50 blocks and 3000 characters per section', () => {
    const blocks = Array.from({ length: 80 }, () => ({ type: 'divider' as const }));
    const capped = capBlocks(blocks);
    expect(capped).toHaveLength(50);
    expect(text(capped)).toContain('… 31 more not shown');
    const chunks = chunkLines(Array.from({ length: 100 }, (_, i) => `${i} ${'x'.repeat(100)}`));
    expect(chunks.length).toBeGreaterThan(3);
    for (const c of chunks) expect(c.length).toBeLessThanOrEqual(3000);
    expect(chunkLines(['y'.repeat(5000)])[0]!.length).toBe(3000);
  });
});
