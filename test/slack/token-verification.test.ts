// A wrong Slack bot token stops `burnwatch serve` with a sentence naming the variable (exit 2),
// not a stack trace from inside Bolt; Slack being unreachable at start-up does not stop it.
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeSlackApi } from '../fakes/slack-api.ts';
import { startBurnwatch } from '../helpers/burnwatch-process.ts';
import { makeTempDir } from '../helpers/test-databases.ts';

describe('Slack bot token at start-up', () => {
  const slack = new FakeSlackApi();
  let dir: string;
  beforeAll(async () => {
    await slack.start();
    dir = await makeTempDir('burnwatch-token-');
    await fs.mkdir(path.join(dir, 'slos'));
  });
  afterAll(async () => {
    await slack.stop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  const env = (extra: Record<string, string>, data: string) => ({
    BURNWATCH_PORT: '0',
    BURNWATCH_HOST: '127.0.0.1',
    BURNWATCH_DATA_DIR: path.join(dir, data),
    BURNWATCH_SLOS_DIR: path.join(dir, 'slos'),
    BURNWATCH_LEADER: 'none',
    PROMETHEUS_URL: 'http://127.0.0.1:9',
    SLACK_SIGNING_SECRET: 'token-test-signing-secret-0123456789',
    ...extra,
  });

  it('refuses a token Slack rejects, naming SLACK_BOT_TOKEN, with exit code 2', async () => {
    const proc = await startBurnwatch(env({ SLACK_BOT_TOKEN: 'xoxb-revoked', SLACK_API_URL: slack.apiUrl }, 'refused'), { waitListening: false });
    const exit = await proc.exited;
    expect(exit.code).toBe(2);
    const output = proc.lines.join('\n');
    expect(output).toContain('Slack refused SLACK_BOT_TOKEN (invalid_auth)');
    expect(output).not.toMatch(/at WebClient\.apiCall|Unhandled|xoxb-revoked/);
  });

  it('starts when Slack cannot be reached, and says the token is not verified yet', async () => {
    const proc = await startBurnwatch(env({ SLACK_BOT_TOKEN: 'xoxb-test', SLACK_API_URL: 'http://127.0.0.1:9/api/' }, 'unreachable'));
    try {
      expect((await fetch(`${proc.url}/healthz`)).status).toBe(200);
      expect(proc.lines.join('\n')).toContain('cannot verify the Slack token now');
    } finally {
      await proc.kill('SIGTERM');
    }
  });
});
