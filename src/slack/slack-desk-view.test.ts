import fs from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../test/helpers/test-databases.ts';
import { openStore, type Store } from '../store/open-store.ts';
import { listOutbox } from '../store/repositories/outbox.ts';
import { noticeText, slackDeskView } from './slack-desk-view.ts';

describe('the Slack bot as a view of the desks', () => {
  let dir: string;
  let store: Store;
  beforeAll(async () => {
    dir = await makeTempDir('bw-desk-view-');
    store = await openStore({ dataDir: dir });
  });
  afterAll(async () => {
    await store.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  const view = slackDeskView({ defaultChannel: '#alerts', owners: { 'recs-serving': { channel: '#recs-oncall', oncallUsergroup: 'S0RECS' } } });

  it('says where an SLO is shown and whose group is on call', () => {
    expect(view.alertChannel?.(undefined)).toBe('#alerts');
    expect(view.oncallGroup?.('recs-serving')).toBe('S0RECS');
    expect(view.oncallGroup?.('nobody')).toBeUndefined();
  });

  it('turns effects into its own jobs in their lanes, and skips an episode no channel shows', async () => {
    const at = new Date('2026-11-22T03:00:00Z');
    await view.flush(
      store.db,
      [
        { kind: 'alert.changed', alertId: 1, channel: '#recs-oncall' },
        { kind: 'alert.changed', alertId: 2, channel: '' },
        { kind: 'incident.changed', incidentId: 7 },
        { kind: 'incident.notice', incidentId: 7, key: 'note:1', notice: { type: 'note', by: { id: 'UALICE01', name: 'alice' }, text: 'a <b> & c' } },
        { kind: 'postmortem.due', incidentId: 7 },
      ],
      at,
    );
    const rows = (await listOutbox(store.db, 100)).reverse();
    expect(rows.map((r) => [r.channel, r.kind, r.payload])).toEqual([
      ['slack:#recs-oncall', 'slack.alert.sync', { alertId: 1 }],
      ['slack:incident-7', 'slack.incident.sync', { incidentId: 7 }],
      ['slack:incident-7', 'slack.incident.post', { incidentId: 7, key: 'note:1', text: ':mega: Update from <@UALICE01>: a &lt;b&gt; &amp; c' }],
      ['slack:incident-7', 'slack.postmortem', { incidentId: 7 }],
    ]);
  });

  it('words the notices the way the channel always said them', () => {
    expect(noticeText({ type: 'mitigated', reason: 'the burn stopped' })).toMatch(/^:large_green_circle: The burn stopped: burnwatch marked the incident \*mitigated\*/);
    expect(noticeText({ type: 'resolved-by', by: null, summary: 'fixed' })).toBe(':white_check_mark: someone resolved the incident: fixed');
    expect(noticeText({ type: 'alertmanager-resolved', alertname: 'FeatureStoreLag' })).toContain('Alertmanager reports *FeatureStoreLag* resolved');
  });
});
