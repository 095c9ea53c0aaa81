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

describe('links into the console', () => {
  const slo = { id: 'ranker/latency', service: 'ranker', name: 'latency', description: '99.9 % of ranking requests within 150 ms', indicator: { kind: 'latency' } };
  const links = {
    publicUrl: 'https://burnwatch.example.com',
    slo: (id: string) => (id === slo.id ? (slo as never) : undefined),
    playbook: (runbook: string) => (runbook === 'playbooks/ranking-latency.md' ? 'ranking-latency.md' : undefined),
  };

  it('names the service and the SLO in plain words and says the bad ratio against the allowed one', () => {
    const m = renderAlertMessage(alert(), new Date(), undefined, links);
    expect((m.blocks[0] as { text: { text: string } }).text.text).toBe('Page: ranker — 99.9 % of ranking requests within 150 ms');
    // 1h burn rate 20.5 × 0.1 % allowed = 2.05 %, two significant digits
    expect(text(m.blocks)).toContain('*2 % slow* over the last 1h, 0.1 % allowed');
  });

  it('has a "View in burnwatch" button to the SLO page, also once resolved', () => {
    const url = 'https://burnwatch.example.com/slos/ranker/latency';
    const firing = renderAlertMessage(alert(), new Date(), undefined, links);
    const actions = firing.blocks.find((b) => b.type === 'actions') as { elements: Array<{ action_id: string; url?: string }> };
    expect(actions.elements[0]).toMatchObject({ action_id: ACTION.openConsole, url });
    const resolved = renderAlertMessage(alert({ state: 'resolved', resolvedAt: new Date() }), new Date(), undefined, links);
    expect(text(resolved.blocks)).toContain(url);
    expect(text(renderAlertMessage(alert(), new Date()).blocks)).not.toContain(ACTION.openConsole);
  });

  it('turns a playbook path into the console page of it, and leaves an unknown path unlinked', () => {
    const withPath = (runbook: string) => alert({ snapshot: { ...alert().snapshot, runbook } });
    expect(text(renderAlertMessage(withPath('playbooks/ranking-latency.md'), new Date(), undefined, links).blocks)).toContain(
      '<https://burnwatch.example.com/runbooks/ranking-latency.md|open runbook>',
    );
    const plain = text(renderAlertMessage(withPath('docs/elsewhere.md'), new Date(), undefined, links).blocks);
    expect(plain).not.toContain('open runbook');
    expect(plain).toContain('docs/elsewhere.md');
  });
});
