// "Override freeze…" against the real Bolt app, store and Slack notifier (signed requests, the
// recording fake): Slack and the API record overrides through one function, so the BudgetPolicy's
// approvers refuse a Slack click too (no authorization policy here: the bot lets everyone click),
// and an override made over the API takes the button off the freeze post as a Slack one does.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BudgetPolicy } from '../../src/domain/budget-policy.ts';
import { type FreezeOverrideDeps, overrideFreeze } from '../../src/gate/freeze-override.ts';
import { freezeStartedText } from '../../src/gate/freeze-state.ts';
import { ACTION, OVERRIDE_BLOCK, OVERRIDE_INPUT, VIEW } from '../../src/slack/action-ids.ts';
import { freezeOverrideSlack } from '../../src/slack/freeze-override.ts';
import { listAudit } from '../../src/store/repositories/audit-log.ts';
import { activeOverrides, startFreeze } from '../../src/store/repositories/budget-freezes.ts';
import { enqueue } from '../../src/store/repositories/outbox.ts';
import { SlackHarness } from '../helpers/slack-harness.ts';
import { until } from '../helpers/until.ts';
import { rankerSlo } from './alert-fixtures.ts';

const slo = rankerSlo();
const policy: BudgetPolicy = {
  name: 'ranking-freeze',
  slos: [slo.id],
  services: [],
  freezeBelow: 0,
  allowFixes: true,
  override: { approvers: ['UALICE01'], maxSeconds: 7200 },
  origin: { file: 'slos/policy.yaml', line: 1 },
};
const bob = { id: 'UBOB0001', name: 'bob' };

describe('Override freeze… from Slack', () => {
  let h: SlackHarness;
  let deps: FreezeOverrideDeps;
  let channel: string;

  beforeAll(async () => {
    h = new SlackHarness({
      slos: [slo],
      extensions: (hh) => {
        deps = { db: hh.store.db, clock: hh.clock, policies: () => [policy], slos: () => [slo], channels: () => [`slack:${slo.alerting.channel}`], outboxWritten: () => {} };
        return [freezeOverrideSlack(() => deps)];
      },
    });
    await h.start();
    channel = h.slack.addChannel(String(slo.alerting.channel).replace(/^#/, ''), [bob.id]);
  });
  afterAll(() => h?.stop());

  it('refuses a Slack override by someone the policy does not list, and an API override retires the button', async () => {
    const now = h.clock.now();
    const freeze = (await startFreeze(h.store.db, { policy: policy.name, sloId: slo.id, at: now, budget: -0.2, threshold: 0 }))!;
    await enqueue(h.store.db, {
      idempotencyKey: `budget.freeze.started:${freeze.id}:slack:${slo.alerting.channel}`,
      channel: `slack:${slo.alerting.channel}`,
      kind: 'budget.freeze.started',
      payload: { slo: slo.id, policy: policy.name, freezeId: freeze.id, text: freezeStartedText({ policy, slo }, -0.2) },
      at: now,
    });
    await h.deliver();
    const [post] = h.slack.messagesIn(channel);
    expect(post!.text).toMatch(/^:no_entry: \*Deploy freeze\* for/);
    const value = (post!.blocks as Array<{ type: string; elements?: Array<{ value: string }> }>).find((b) => b.type === 'actions')!.elements![0]!.value;

    // bob may click (no authorization policy), and is asked why; the policy's approvers refuse him.
    const clicked = await h.requester.blockAction({ user: bob, actionId: ACTION.freezeOverride, value, channel, messageTs: post!.ts, responseUrl: h.slack.responseUrl('bob') });
    expect(clicked.status).toBe(200);
    const modal = await until('the modal', () => h.slack.views[0]);
    expect(JSON.stringify(modal.view)).toContain('for 2h');
    await h.requester.viewSubmission({ user: bob, callbackId: VIEW.freezeOverride, privateMetadata: String(modal.view.private_metadata), values: { [OVERRIDE_BLOCK]: { [OVERRIDE_INPUT]: 'ship the launch' } } });
    const whisper = await until('the refusal', () => h.slack.okCallsTo('chat.postEphemeral')[0]);
    expect(whisper.params).toMatchObject({ channel, user: bob.id, text: ':no_entry: <@UBOB0001> may not override policy ranking-freeze (approvers: UALICE01)' });
    expect(await activeOverrides(h.store.db, h.clock.now())).toEqual([]);

    // alice overrides over the API (the same function): the post loses its button, the override is posted.
    const ok = await overrideFreeze(deps, { slo: slo.id, actor: 'UALICE01', reason: 'checkout hotfix', via: 'api' });
    expect(ok).toMatchObject({ status: 'ok', policy: policy.name });
    await h.deliver();
    const updated = h.slack.messagesIn(channel).find((m) => m.ts === post!.ts)!;
    expect(updated.edited).toBe(true);
    expect(JSON.stringify(updated.blocks)).not.toContain(ACTION.freezeOverride);
    expect(JSON.stringify(updated.blocks)).toContain('*Deploy freeze overridden* for');
    // The freeze post keeps its words under what happened; the override is a post of its own.
    expect(JSON.stringify(updated.blocks)).toContain(':no_entry: *Deploy freeze* for');
    expect(h.slack.messagesIn(channel).map((m) => m.ts === post!.ts || m.text.split(' for ')[0])).toEqual([true, ':unlock: *Deploy freeze overridden*']);

    const audit = (await listAudit(h.store.db)).filter((a) => a.action === 'budget.freeze.override').map((a) => `${a.actor} ${a.result} ${(a.details as { via?: string }).via}`);
    expect(audit).toEqual(['UBOB0001 denied slack', 'UALICE01 ok api']);
  });
});
