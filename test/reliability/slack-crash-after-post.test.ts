// The crash window of the Slack notifier, with real processes: `burnwatch serve` posts an
// incident summary, Slack (the fake) stores it and holds its answer back, and the process is
// killed with -9 before it can store the ts. After the restart, the summary is found in the
// channel by its metadata and adopted: Slack shows it once, pinned once, and the store has
// its ts.
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.ts';
import { BOT_USER_ID, FakeSlackApi } from '../fakes/slack-api.ts';
import { type BurnwatchProcess, startBurnwatch } from '../helpers/burnwatch-process.ts';
import { makeTempDir } from '../helpers/test-databases.ts';
import { until } from '../helpers/until.ts';
import { featureStoreLagPage } from '../fixtures/alertmanager.ts';

const API_TOKEN = 'crash-test-api-token-0123456789';

describe('killed between Slack accepting a post and storing its ts', () => {
  // Wall clock: the service stamps its first attempt with it, and Slack its messages.
  const slack = new FakeSlackApi();
  let dir: string;
  const running: BurnwatchProcess[] = [];
  beforeAll(async () => {
    await slack.start();
    dir = await makeTempDir('burnwatch-slack-crash-');
    await fs.mkdir(path.join(dir, 'slos'));
  });
  afterAll(async () => {
    for (const p of running) await p.kill('SIGKILL');
    await slack.stop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  const env = {
    BURNWATCH_PORT: '0',
    BURNWATCH_HOST: '127.0.0.1',
    BURNWATCH_LEADER: 'none',
    BURNWATCH_API_TOKEN: API_TOKEN,
    BURNWATCH_OUTBOX_BACKOFF: '1s',
    BURNWATCH_OUTBOX_MAX_BACKOFF: '2s',
    BURNWATCH_REPORT_ENABLED: 'false',
    PROMETHEUS_URL: 'http://127.0.0.1:9',
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_SIGNING_SECRET: 'crash-test-signing-secret-0123456789',
  };

  async function start(): Promise<BurnwatchProcess> {
    const p = await startBurnwatch({ ...env, BURNWATCH_DATA_DIR: path.join(dir, 'data'), BURNWATCH_SLOS_DIR: path.join(dir, 'slos'), SLACK_API_URL: slack.apiUrl });
    running.push(p);
    return p;
  }

  it('adopts the message after the restart: one summary at Slack, pinned once, its ts stored', { timeout: 180_000 }, async () => {
    slack.failNext('chat.postMessage', { hold: true });
    const first = await start();
    const res = await fetch(`${first.url}/api/alertmanager`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(featureStoreLagPage({ fingerprint: 'c0ffee01' })),
    });
    expect(res.status).toBe(200);

    // Slack stored the summary and holds its answer: kill -9 now.
    const channel = await until('the incident channel', () => [...slack.channels.values()].find((c) => c.name.startsWith('inc-')));
    await until('the held post', () => slack.callsTo('chat.postMessage').find((c) => c.lost === 'held'));
    const posted = slack.messagesIn(channel.id).filter((m) => m.user === BOT_USER_ID);
    expect(posted).toHaveLength(1);
    expect(posted[0]!.metadata).toMatchObject({ event_type: 'burnwatch_notification', event_payload: { key: 'incident:1:summary' } });
    expect(await first.kill('SIGKILL')).toMatchObject({ signal: 'SIGKILL' });

    const second = await start();
    await until('the summary pinned', () => slack.pins.get(channel.id)?.size === 1, 60_000);
    expect((await second.kill('SIGTERM')).code).toBe(0);

    expect(slack.callsTo('chat.postMessage')).toHaveLength(1);
    expect(slack.messagesIn(channel.id).filter((m) => m.user === BOT_USER_ID)).toHaveLength(1);
    expect(slack.pins.get(channel.id)).toEqual(new Set([posted[0]!.ts]));
    expect(slack.okCallsTo('conversations.history').some((c) => c.params['channel'] === channel.id && c.params['include_all_metadata'] === 'true')).toBe(true);
    expect(slack.okCallsTo('conversations.create')).toHaveLength(1);

    const store = await openStore({ dataDir: path.join(dir, 'data') });
    try {
      const { rows } = await store.db.query<{ channel: string; ts: string }>("SELECT channel, ts FROM slack_messages WHERE key = 'incident:1:summary'");
      expect(rows).toEqual([{ channel: channel.id, ts: posted[0]!.ts }]);
      expect((await store.db.query('SELECT key FROM slack_post_attempts')).rows).toEqual([]);
      const pending = await store.db.query('SELECT kind FROM outbox WHERE delivered_at IS NULL');
      expect(pending.rows).toEqual([]);
    } finally {
      await store.close();
    }
  });
});
