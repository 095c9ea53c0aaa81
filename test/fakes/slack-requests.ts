// Correctly signed requests as Slack sends them (the signing is Slack's real v0 algorithm),
// for driving the real Bolt app over loopback: block actions, view submissions, slash
// commands and Events API callbacks. The payload builders are shared with Socket Mode
// envelopes (test/fakes/slack-socket-mode.ts), which carry the same payloads.
import { createHmac } from 'node:crypto';
import { APP_ID, TEAM_ID } from './slack-api.ts';

export function signSlackRequest(secret: string, rawBody: string, timestampSeconds: number): Record<string, string> {
  const signature = 'v0=' + createHmac('sha256', secret).update(`v0:${timestampSeconds}:${rawBody}`).digest('hex');
  return { 'x-slack-request-timestamp': String(timestampSeconds), 'x-slack-signature': signature };
}

export interface SlackUser {
  id: string;
  name: string;
}

export interface SendOptions {
  secret: string;
  /** Unix seconds used in the signature; defaults to now. */
  timestamp?: number;
  /** Skip the signature headers (an unsigned request). */
  unsigned?: boolean;
}

export interface BlockActionArgs {
  user: SlackUser;
  actionId: string;
  value?: string;
  channel: string;
  messageTs?: string;
  responseUrl: string;
  selectedOption?: string;
}

export interface CommandArgs {
  user: SlackUser;
  command: string;
  text: string;
  channel: string;
  responseUrl: string;
}

/** The block_actions payload of a click on a button (or a static select). `now`: Unix seconds. */
export function blockActionPayload(args: BlockActionArgs, now: number, triggerId: string): Record<string, unknown> {
  const action = args.selectedOption
    ? { type: 'static_select', action_id: args.actionId, block_id: 'b', selected_option: { value: args.selectedOption, text: { type: 'plain_text', text: args.selectedOption } }, action_ts: `${now}.000100` }
    : { type: 'button', action_id: args.actionId, block_id: 'b', value: args.value ?? '', text: { type: 'plain_text', text: args.actionId }, action_ts: `${now}.000100` };
  return {
    type: 'block_actions',
    team: { id: TEAM_ID, domain: 'burnwatch-test' },
    user: { id: args.user.id, username: args.user.name, name: args.user.name, team_id: TEAM_ID },
    api_app_id: APP_ID,
    token: 'legacy-verification-token',
    trigger_id: triggerId,
    container: { type: 'message', message_ts: args.messageTs ?? '1763800000.000001', channel_id: args.channel, is_ephemeral: false },
    channel: { id: args.channel, name: 'alerts' },
    message: args.messageTs ? { type: 'message', ts: args.messageTs, text: '' } : undefined,
    response_url: args.responseUrl,
    actions: [action],
  };
}

/** The fields of a slash command (form-encoded over HTTP, a JSON object in a Socket Mode envelope). */
export function commandFields(args: CommandArgs, triggerId: string): Record<string, string> {
  return {
    token: 'legacy-verification-token',
    team_id: TEAM_ID,
    team_domain: 'burnwatch-test',
    channel_id: args.channel,
    channel_name: 'alerts',
    user_id: args.user.id,
    user_name: args.user.name,
    command: args.command,
    text: args.text,
    api_app_id: APP_ID,
    response_url: args.responseUrl,
    trigger_id: triggerId,
  };
}

/** An Events API event_callback around `event`. `now`: Unix seconds. */
export function eventCallback(event: Record<string, unknown>, now: number): Record<string, unknown> {
  return {
    token: 'legacy-verification-token',
    team_id: TEAM_ID,
    api_app_id: APP_ID,
    event,
    type: 'event_callback',
    event_id: `Ev${Math.random().toString(36).slice(2, 12).toUpperCase()}`,
    event_time: now,
    authorizations: [{ team_id: TEAM_ID, user_id: 'UBOT0001', is_bot: true }],
  };
}

export class SlackRequester {
  private readonly url: string;
  private readonly secret: string;
  private readonly now: () => number;
  private triggerCounter = 0;

  constructor(eventsUrl: string, secret: string, now: () => number = () => Math.floor(Date.now() / 1000)) {
    this.url = eventsUrl;
    this.secret = secret;
    this.now = now;
  }

  async send(rawBody: string, contentType: string, opts: Partial<SendOptions> = {}): Promise<Response> {
    const timestamp = opts.timestamp ?? this.now();
    const headers: Record<string, string> = { 'content-type': contentType };
    if (!opts.unsigned) Object.assign(headers, signSlackRequest(opts.secret ?? this.secret, rawBody, timestamp));
    return fetch(this.url, { method: 'POST', headers, body: rawBody });
  }

  /** A click on a Block Kit button. */
  blockAction(args: BlockActionArgs, opts: Partial<SendOptions> = {}): Promise<Response> {
    return this.sendPayload(blockActionPayload(args, this.now(), this.triggerId()), opts);
  }

  /** A modal submission. `values` maps block_id → action_id → value. */
  viewSubmission(args: {
    user: SlackUser;
    callbackId: string;
    privateMetadata: string;
    values: Record<string, Record<string, string>>;
  }, opts: Partial<SendOptions> = {}): Promise<Response> {
    const state: Record<string, Record<string, { type: string; value: string }>> = {};
    for (const [block, actions] of Object.entries(args.values)) {
      state[block] = Object.fromEntries(Object.entries(actions).map(([a, v]) => [a, { type: 'plain_text_input', value: v }]));
    }
    const payload = {
      type: 'view_submission',
      team: { id: TEAM_ID, domain: 'burnwatch-test' },
      user: { id: args.user.id, username: args.user.name, name: args.user.name, team_id: TEAM_ID },
      api_app_id: APP_ID,
      token: 'legacy-verification-token',
      trigger_id: this.triggerId(),
      view: {
        id: 'V0VIEW001',
        team_id: TEAM_ID,
        type: 'modal',
        callback_id: args.callbackId,
        private_metadata: args.privateMetadata,
        state: { values: state },
        hash: '1763800000.abc',
        title: { type: 'plain_text', text: 'burnwatch' },
        blocks: [],
      },
      response_urls: [],
    };
    return this.sendPayload(payload, opts);
  }

  /** A slash command, form-encoded as Slack sends it. */
  command(args: CommandArgs, opts: Partial<SendOptions> = {}): Promise<Response> {
    const form = new URLSearchParams(commandFields(args, this.triggerId()));
    return this.send(form.toString(), 'application/x-www-form-urlencoded', opts);
  }

  /** An Events API callback (JSON). */
  event(event: Record<string, unknown>, opts: Partial<SendOptions> = {}): Promise<Response> {
    return this.send(JSON.stringify(eventCallback(event, this.now())), 'application/json', opts);
  }

  private sendPayload(payload: unknown, opts: Partial<SendOptions>): Promise<Response> {
    const raw = 'payload=' + encodeURIComponent(JSON.stringify(payload));
    return this.send(raw, 'application/x-www-form-urlencoded', opts);
  }

  private triggerId(): string {
    this.triggerCounter += 1;
    return `${this.now()}.${this.triggerCounter}.trigger`;
  }
}
