import fs from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeSlackApi } from '../../../test/fakes/slack-api.ts';
import { makeTempDir } from '../../../test/helpers/test-databases.ts';
import { fixedClock } from '../../domain/clock.ts';
import { OutboxDispatcher } from '../../notify/outbox-dispatcher.ts';
import { createLogger } from '../../service/logger.ts';
import { openStore, type Store } from '../../store/open-store.ts';
import { getByKey } from '../../store/repositories/outbox.ts';
import { sampleInputs } from '../../reports/__fixtures__/sample.ts';
import { buildReport } from '../../reports/build-report.ts';
import type { ReportPeriod } from '../../reports/report-data.ts';
import { reportIdempotencyKey } from './slack-report.ts';
import { slackReportChannel } from './slack-report-channel.ts';
import { runWeeklyReport } from '../../reports/weekly-job.ts';

describe('posting the weekly report to Slack through the outbox', () => {
  let slack: FakeSlackApi;
  let dir: string;
  let store: Store;
  const clock = fixedClock('2026-11-23T09:00:00Z');
  let dispatcher: OutboxDispatcher;

  beforeAll(async () => {
    slack = await new FakeSlackApi().start();
    slack.addChannel('ranking-alerts');
    // #training-alerts does not exist: Slack refuses, and no retry can fix that.
    dir = await makeTempDir('bw-report-slack-');
    store = await openStore({ dataDir: dir });
    // The service's wiring: no retries in the client (the outbox retries), the client loaded at the first post.
    const channel = slackReportChannel({ botToken: 'xoxb-test', apiUrl: slack.apiUrl });
    dispatcher = new OutboxDispatcher({
      db: store.db,
      notifiers: [channel.notifier],
      clock,
      logger: createLogger('silent'),
      isLeader: () => true,
      backoffSeconds: 5,
      maxBackoffSeconds: 600,
    });
    await runWeeklyReport({
      db: store.db,
      clock,
      channel,
      produce: async (period: ReportPeriod, previous: ReportPeriod, now: Date) => buildReport({ ...sampleInputs(), period, previous, generatedAt: now }),
    });
  });
  afterAll(async () => {
    await dispatcher?.stop();
    await store?.close();
    await slack?.stop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('uploads both charts, then posts one message whose image blocks show them; a 429 is retried after Retry-After', async () => {
    slack.failNext('chat.postMessage', { status: 429, retryAfter: 30 });
    await dispatcher.runOnce();
    const queued = await getByKey(store.db, reportIdempotencyKey('2026-W47', 'ranking'));
    expect(queued!.deliveredAt).toBeNull();
    expect(queued!.nextAttemptAt.getTime() - clock.now().getTime()).toBe(30_000);
    expect(slack.messages).toHaveLength(0);

    clock.advance(30);
    await dispatcher.runOnce();
    const delivered = await getByKey(store.db, reportIdempotencyKey('2026-W47', 'ranking'));
    expect(delivered!.deliveredAt).not.toBeNull();

    const channel = slack.channelByName('ranking-alerts')!;
    const [message] = slack.messagesIn(channel.id);
    expect(slack.messagesIn(channel.id)).toHaveLength(1);
    expect(message!.text).toContain('ranking: reliability 2026-W47');
    const images = (message!.blocks as Array<{ type: string; slack_file?: { id: string } }>).filter((b) => b.type === 'image');
    expect(images).toHaveLength(2);
    const shown = images.map((b) => slack.files.get(b.slack_file!.id)!);
    expect(shown.map((f) => f.name)).toEqual(['ranking-2026-W47-burn-down.png', 'ranking-2026-W47-attainment.png']);
    for (const file of shown) {
      // the bytes that arrived are a PNG of the chart's size (640 px wide at scale 2)
      expect(file.bytes!.subarray(1, 4).toString()).toBe('PNG');
      expect(file.bytes!.readUInt32BE(16)).toBe(1280);
    }
    expect(delivered!.result).toMatchObject({ ts: message!.ts, fileIds: shown.map((f) => f.id) });
  });

  it('gives up on a channel Slack does not know, without retrying', async () => {
    const training = await getByKey(store.db, reportIdempotencyKey('2026-W47', 'training'));
    expect(training!.failedAt).not.toBeNull();
    expect(training!.lastError).toMatch(/channel_not_found/);
    expect(slack.okCallsTo('chat.postMessage')).toHaveLength(1);
  });
});
