import { describe, expect, it } from 'vitest';
import { ConfigError, describeConfig, loadConfig } from './config.ts';

const problemsOf = (env: NodeJS.ProcessEnv) => {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => p.variable);
    throw error;
  }
  return [];
};

describe('configuration', () => {
  it('starts on a fresh machine with nothing set: embedded store, no leader election', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 8080, dataDir: '.burnwatch', slosDir: 'slos', databaseUrl: undefined, cycleTimeoutSeconds: 50 });
    expect(c.leader.mode).toBe('none');
    expect(c.telemetry.enabled).toBe(false);
  });

  it('names every bad variable', () => {
    expect(problemsOf({ BURNWATCH_PORT: 'eighty', DATABASE_URL: 'mysql://x', BURNWATCH_CYCLE_TIMEOUT: '10' })).toEqual([
      'DATABASE_URL',
      'BURNWATCH_PORT',
      'BURNWATCH_CYCLE_TIMEOUT',
    ]);
    expect(problemsOf({ BURNWATCH_LEADER: 'raft' })).toEqual(['BURNWATCH_LEADER']);
    expect(problemsOf({ BURNWATCH_WEBHOOK_URL: 'http://127.0.0.1:9/hook' })).toEqual(['BURNWATCH_WEBHOOK_SECRET']);
    expect(problemsOf({ BURNWATCH_API_TOKEN: 'short' })).toEqual(['BURNWATCH_API_TOKEN']);
    expect(() => loadConfig({ BURNWATCH_PORT: 'eighty' })).toThrow(/BURNWATCH_PORT: /);
  });

  it('picks the leader election from the environment', () => {
    expect(loadConfig({ KUBERNETES_SERVICE_HOST: '10.0.0.1' }).leader.mode).toBe('lease');
    expect(loadConfig({ DATABASE_URL: 'postgres://u@127.0.0.1/db' }).leader.mode).toBe('postgres');
    expect(loadConfig({ DATABASE_URL: 'postgres://u@127.0.0.1/db', BURNWATCH_LEADER: 'none' }).leader.mode).toBe('none');
    expect(problemsOf({ BURNWATCH_LEADER: 'advisory' })).toEqual(['BURNWATCH_LEADER']);
  });

  it('needs the signing secret for Slack over HTTP, not in Socket Mode', () => {
    expect(() => loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1' })).toThrow(/SLACK_SIGNING_SECRET: required with SLACK_BOT_TOKEN/);
    expect(loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' }).slack).toMatchObject({ botToken: 'xoxb-1', signingSecret: undefined });
  });

  it('lets flags override the environment', () => {
    expect(loadConfig({ BURNWATCH_PORT: '9000' }, { port: 9100, slos: 'x' })).toMatchObject({ port: 9100, slosDir: 'x' });
  });

  it('never shows a secret in what it logs', () => {
    const c = loadConfig({
      DATABASE_URL: 'postgres://bw:db-password@127.0.0.1/bw',
      BURNWATCH_API_TOKEN: 'token-token-token-token',
      BURNWATCH_WEBHOOK_URL: 'http://127.0.0.1:9/services/T0/B0/hook-path-secret',
      BURNWATCH_WEBHOOK_SECRET: 'secret-secret-secret',
      SLACK_BOT_TOKEN: 'xoxb-123-abc',
      SLACK_SIGNING_SECRET: 'signing-signing',
    });
    const shown = JSON.stringify(describeConfig(c));
    for (const secret of ['hook-path-secret', 'db-password', 'token-token-token-token', 'secret-secret-secret', 'xoxb-123-abc', 'signing-signing']) {
      expect(shown).not.toContain(secret);
    }
  });
});
