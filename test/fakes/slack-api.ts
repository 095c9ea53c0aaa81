// A recording fake of Slack's Web API on loopback. Point the real WebClient at it with
// `slackApiUrl: fake.apiUrl` ("http://127.0.0.1:PORT/api/"). It keeps just enough state
// (channels, members, messages with their metadata, pins, user groups, views) to answer the
// way Slack does, records every call, and can be scripted to fail the next call of a method
// with a 429 + Retry-After, a 500 or an `ok:false` error, or to lose it: the connection cut
// before the call is processed, or after (Slack did it, the caller never hears), or the
// answer held back for good. `failWhen` sets a standing schedule of such failures (bursts
// by call number, a channel that is down) for every call nothing was scripted for. conversations.history and conversations.list page with
// cursors like Slack. Message ts come from the clock it is given (like Slack's, they are
// the posting time). `responseUrl(id)` gives a response_url that records what Bolt's
// `respond()` posts. Socket Mode (apps.connections.open and the WebSocket it points at)
// is `socketMode` (test/fakes/slack-socket-mode.ts). files.uploadV2 works end to end (getUploadURLExternal,
// the bytes POSTed to the returned upload URL, completeUploadExternal), and an image block's
// slack_file.id must name a completed upload.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeSocketMode } from './slack-socket-mode.ts';

export interface RecordedCall {
  method: string;
  params: Record<string, unknown>;
  token: string | undefined;
  /** What the fake answered: 'ok', an ok:false error code, 'http_429' / 'http_500', or 'dropped_request'. */
  outcome: string;
  /** Processed, but the answer was lost ('response': connection cut) or never sent ('held'). */
  lost?: 'response' | 'held';
}

export interface FakeMessage {
  ts: string;
  channel: string;
  text: string;
  blocks: unknown[];
  user: string;
  edited?: boolean;
  threadTs?: string;
  /** chat.postMessage `metadata`: returned by conversations.history with include_all_metadata. */
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
}

export interface FakeChannel {
  id: string;
  name: string;
  isPrivate: boolean;
  members: Set<string>;
  topic?: string;
}

/** A file uploaded with files.uploadV2 (getUploadURLExternal → POST bytes → completeUploadExternal). */
export interface FakeFile {
  id: string;
  name: string;
  title: string;
  /** The length announced in getUploadURLExternal. */
  length: number;
  bytes: Buffer | undefined;
  completed: boolean;
  channels: string[];
}

export type ScriptedFailure =
  | { status: 429; retryAfter: number }
  | { status: 500 }
  | { error: string }
  /** The connection is cut: before the call is processed ('request'), or after it ('response': done, but the caller never hears). */
  | { drop: 'request' | 'response' }
  /** The call is processed and the answer never sent (until the fake stops): the caller is left waiting. */
  | { hold: true };

/** What a failure schedule sees of a call: `n` counts the calls of this method, from 1. */
export interface ScheduledCall {
  method: string;
  params: Record<string, unknown>;
  n: number;
}

export type FailureSchedule = (call: ScheduledCall) => ScriptedFailure | undefined;

export interface ResponseUrlPost {
  id: string;
  body: Record<string, unknown>;
}

export const BOT_USER_ID = 'UBOT0001';
export const BOT_ID = 'BBOT0001';
export const TEAM_ID = 'T0TEAM001';
export const APP_ID = 'A0APP0001';

export class FakeSlackApi {
  readonly calls: RecordedCall[] = [];
  readonly channels = new Map<string, FakeChannel>();
  readonly messages: FakeMessage[] = [];
  readonly pins = new Map<string, Set<string>>();
  readonly usergroups = new Map<string, string[]>();
  readonly views: Array<{ triggerId: string; view: Record<string, unknown> }> = [];
  readonly responses: ResponseUrlPost[] = [];
  /** Uploaded files by id. */
  readonly files = new Map<string, FakeFile>();
  /** Known users: id → name (users.info). */
  readonly users = new Map<string, string>();
  /** Known e-mail addresses: e-mail → user id (users.lookupByEmail). */
  readonly emails = new Map<string, string>();
  /** Valid tokens; anything else gets `invalid_auth`. */
  readonly tokens = new Set<string>(['xoxb-test']);
  /** Socket Mode: its app-level tokens, connections, envelopes and acks. */
  readonly socketMode = new FakeSocketMode(APP_ID);
  private readonly failures = new Map<string, ScriptedFailure[]>();
  private schedule: FailureSchedule | undefined;
  private readonly callsPerMethod = new Map<string, number>();
  private readonly now: () => Date;
  private server: Server | undefined;
  private port = 0;
  private lastTsMicros = 0;
  private channelCounter = 0;
  private fileCounter = 0;

  /** `now`: the clock message ts are taken from (the wall clock by default). */
  constructor(options: { now?: () => Date } = {}) {
    this.now = options.now ?? (() => new Date());
  }

  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api/`;
  }

  responseUrl(id: string = randomUUID()): string {
    return `http://127.0.0.1:${this.port}/response/${id}`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error));
      });
    });
    this.server.on('upgrade', (req, socket, head: Buffer) => this.socketMode.upgrade(req, socket, head));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.socketMode.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = undefined;
  }

  /** The next call(s) of `method` fail this way, in order; later calls succeed again. */
  failNext(method: string, ...failures: ScriptedFailure[]): void {
    this.failures.set(method, [...(this.failures.get(method) ?? []), ...failures]);
  }

  /**
   * From now on every call for which failNext scripted nothing asks `schedule` how to fail
   * (undefined: answer normally); `failWhen(undefined)` lifts it.
   */
  failWhen(schedule: FailureSchedule | undefined): void {
    this.schedule = schedule;
  }

  /** Adds a public channel the bot is in (e.g. the alert channel) and returns its id. */
  addChannel(name: string, members: string[] = []): string {
    const id = `C${String(++this.channelCounter).padStart(8, '0')}`;
    this.channels.set(id, { id, name, isPrivate: false, members: new Set([BOT_USER_ID, ...members]) });
    return id;
  }

  addUsergroup(id: string, users: string[]): void {
    this.usergroups.set(id, users);
  }

  callsTo(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  okCallsTo(method: string): RecordedCall[] {
    return this.callsTo(method).filter((c) => c.outcome === 'ok');
  }

  channelByName(name: string): FakeChannel | undefined {
    return [...this.channels.values()].find((c) => c.name === name);
  }

  messagesIn(channel: string): FakeMessage[] {
    return this.messages.filter((m) => m.channel === channel);
  }

  /** Posts a message as a person (what a human typing in the channel would create). */
  postAsUser(channel: string, user: string, text: string): FakeMessage {
    const message: FakeMessage = { ts: this.nextTs(), channel, text, blocks: [], user };
    this.messages.push(message);
    return message;
  }

  private nextTs(): string {
    // Slack message ids: the posting time as seconds "." microseconds, unique and increasing.
    const micros = Math.max(this.now().getTime() * 1000, this.lastTsMicros + 1);
    this.lastTsMicros = micros;
    return `${Math.floor(micros / 1e6)}.${String(micros % 1e6).padStart(6, '0')}`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname.startsWith('/upload/')) return this.receiveUpload(url.pathname.slice('/upload/'.length), req, res);
    const raw = await readBody(req);
    if (url.pathname.startsWith('/response/')) {
      this.responses.push({ id: url.pathname.slice('/response/'.length), body: JSON.parse(raw || '{}') });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      return;
    }
    if (!url.pathname.startsWith('/api/')) {
      res.writeHead(404).end();
      return;
    }
    const method = url.pathname.slice('/api/'.length);
    const params = parseParams(req.headers['content-type'] ?? '', raw);
    const auth = req.headers.authorization;
    const token = auth?.startsWith('Bearer ') ? auth.slice(7) : (params['token'] as string | undefined);
    const call: RecordedCall = { method, params, token, outcome: 'ok' };
    this.calls.push(call);

    const n = (this.callsPerMethod.get(method) ?? 0) + 1;
    this.callsPerMethod.set(method, n);
    const failure = this.failures.get(method)?.shift() ?? this.schedule?.({ method, params, n });
    if (failure && 'drop' in failure && failure.drop === 'request') {
      call.outcome = 'dropped_request';
      req.socket.destroy();
      return;
    }
    if (failure && ('drop' in failure || 'hold' in failure)) {
      const body = this.answer(method, params, token);
      call.outcome = body['ok'] === false ? String(body['error']) : 'ok';
      call.lost = 'drop' in failure ? 'response' : 'held';
      if ('drop' in failure) req.socket.destroy();
      return;
    }
    if (failure) {
      if ('status' in failure && failure.status === 429) {
        call.outcome = 'http_429';
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': String(failure.retryAfter) });
        res.end(JSON.stringify({ ok: false, error: 'ratelimited' }));
        return;
      }
      if ('status' in failure) {
        call.outcome = 'http_500';
        res.writeHead(500, { 'content-type': 'text/plain' }).end('Internal Server Error');
        return;
      }
      return this.reply(res, call, { ok: false, error: failure.error });
    }
    this.reply(res, call, this.answer(method, params, token));
  }

  private answer(method: string, params: Record<string, unknown>, token: string | undefined): Record<string, unknown> {
    // App-level tokens open Socket Mode connections and nothing else; bot tokens cannot open them.
    const appToken = token !== undefined && this.socketMode.appTokens.has(token);
    if (method === 'apps.connections.open') {
      if (appToken) return this.socketMode.open(`http://127.0.0.1:${this.port}`);
      return { ok: false, error: token && this.tokens.has(token) ? 'not_allowed_token_type' : 'invalid_auth' };
    }
    if (appToken) return { ok: false, error: 'not_allowed_token_type' };
    if (!token || !this.tokens.has(token)) return { ok: false, error: 'invalid_auth' };
    const handler = this.methods[method];
    if (!handler) return { ok: false, error: 'unknown_method' };
    return handler(params);
  }

  /** The upload URL step of files.uploadV2: the raw bytes of one file. */
  private async receiveUpload(id: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const file = this.files.get(id);
    // The WebClient posts the file as multipart/form-data; raw bodies are accepted too, as by Slack.
    const bytes = fileContent(req.headers['content-type'] ?? '', await readBytes(req));
    this.calls.push({ method: `upload:${id}`, params: { bytes: bytes.length }, token: undefined, outcome: file ? 'ok' : 'file_not_found' });
    if (!file) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('file not found');
      return;
    }
    file.bytes = bytes;
    res.writeHead(200, { 'content-type': 'text/plain' }).end(`OK - ${bytes.length}`);
  }

  private reply(res: ServerResponse, call: RecordedCall, body: Record<string, unknown>): void {
    if (body['ok'] === false) call.outcome = String(body['error']);
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
  }

  private channelOrError(id: unknown): FakeChannel | { ok: false; error: string } {
    const channel = typeof id === 'string' ? this.channels.get(id) : undefined;
    return channel ?? { ok: false, error: 'channel_not_found' };
  }

  private readonly methods: Record<string, (p: Record<string, unknown>) => Record<string, unknown>> = {
    'auth.test': () => ({
      ok: true,
      url: 'https://burnwatch-test.slack.com/',
      team: 'burnwatch-test',
      user: 'burnwatch',
      team_id: TEAM_ID,
      user_id: BOT_USER_ID,
      bot_id: BOT_ID,
      is_enterprise_install: false,
    }),
    'chat.postMessage': (p) => {
      // Slack accepts a channel id or, for channels the bot is in, "#name".
      const byName = typeof p['channel'] === 'string' ? this.channelByName(String(p['channel']).replace(/^#/, '')) : undefined;
      const channel = byName ?? this.channelOrError(p['channel']);
      if ('ok' in channel) return channel;
      if (!channel.members.has(BOT_USER_ID)) return { ok: false, error: 'not_in_channel' };
      const blocks = parseJsonParam(p['blocks']) as unknown[] | undefined;
      if (!p['text'] && !blocks) return { ok: false, error: 'no_text' };
      if (blocks && blocks.length > 50) return { ok: false, error: 'invalid_blocks' };
      // An image block may show an uploaded file (slack_file.id): it must exist and be complete.
      for (const block of (blocks ?? []) as Array<{ type?: string; slack_file?: { id?: string } }>) {
        const id = block.type === 'image' ? block.slack_file?.id : undefined;
        if (id !== undefined && !this.files.get(id)?.completed) return { ok: false, error: 'invalid_blocks' };
      }
      // Event metadata is an event_type string and an event_payload object.
      const metadata = parseJsonParam(p['metadata']) as FakeMessage['metadata'] | undefined;
      if (metadata !== undefined && (typeof metadata?.event_type !== 'string' || typeof metadata.event_payload !== 'object' || metadata.event_payload === null)) {
        return { ok: false, error: 'invalid_metadata_format' };
      }
      const message: FakeMessage = {
        ts: this.nextTs(),
        channel: channel.id,
        text: String(p['text'] ?? ''),
        blocks: blocks ?? [],
        user: BOT_USER_ID,
        ...(p['thread_ts'] ? { threadTs: String(p['thread_ts']) } : {}),
        ...(metadata ? { metadata } : {}),
      };
      this.messages.push(message);
      return { ok: true, channel: channel.id, ts: message.ts, message: this.asSlackMessage(message, true) };
    },
    'files.getUploadURLExternal': (p) => {
      const filename = String(p['filename'] ?? '');
      const length = Number(p['length']);
      if (!filename || !Number.isInteger(length) || length <= 0) return { ok: false, error: 'invalid_arguments' };
      const id = `F${String(++this.fileCounter).padStart(8, '0')}`;
      this.files.set(id, { id, name: filename, title: filename, length, bytes: undefined, completed: false, channels: [] });
      return { ok: true, upload_url: `http://127.0.0.1:${this.port}/upload/${id}`, file_id: id };
    },
    'files.completeUploadExternal': (p) => {
      const list = parseJsonParam(p['files']) as Array<{ id: string; title?: string }> | undefined;
      if (!Array.isArray(list) || list.length === 0) return { ok: false, error: 'invalid_arguments' };
      const files = list.map((f) => this.files.get(f.id));
      // Slack refuses to complete a file whose bytes did not all arrive.
      if (files.some((f) => !f || f.bytes?.length !== f.length)) return { ok: false, error: 'file_not_found' };
      const channel = p['channel_id'] ? this.channelOrError(p['channel_id']) : undefined;
      if (channel && 'ok' in channel) return channel;
      for (const [i, f] of files.entries()) {
        f!.completed = true;
        f!.title = list[i]!.title ?? f!.name;
        if (channel) f!.channels.push(channel.id);
      }
      return {
        ok: true,
        files: files.map((f) => ({ id: f!.id, name: f!.name, title: f!.title, size: f!.length, mimetype: f!.name.endsWith('.png') ? 'image/png' : 'application/octet-stream', channels: f!.channels })),
      };
    },
    'chat.update': (p) => {
      const channel = this.channelOrError(p['channel']);
      if ('ok' in channel) return channel;
      const message = this.messages.find((m) => m.channel === channel.id && m.ts === p['ts']);
      if (!message) return { ok: false, error: 'message_not_found' };
      if (message.user !== BOT_USER_ID) return { ok: false, error: 'cant_update_message' };
      const blocks = parseJsonParam(p['blocks']) as unknown[] | undefined;
      if (blocks && blocks.length > 50) return { ok: false, error: 'invalid_blocks' };
      if (p['text'] !== undefined) message.text = String(p['text']);
      if (blocks) message.blocks = blocks;
      message.edited = true;
      return { ok: true, channel: channel.id, ts: message.ts, text: message.text, message: { text: message.text, blocks: message.blocks } };
    },
    'chat.postEphemeral': (p) => {
      const channel = this.channelOrError(p['channel']);
      if ('ok' in channel) return channel;
      return { ok: true, message_ts: this.nextTs() };
    },
    'conversations.create': (p) => {
      const name = String(p['name'] ?? '');
      if (!/^[a-z0-9_-]{1,80}$/.test(name)) return { ok: false, error: 'invalid_name_specials' };
      if (this.channelByName(name)) return { ok: false, error: 'name_taken' };
      const id = this.addChannel(name);
      const channel = this.channels.get(id)!;
      channel.isPrivate = p['is_private'] === 'true' || p['is_private'] === true;
      return { ok: true, channel: { id, name, is_channel: true, is_private: channel.isPrivate, created: 1763800000, creator: BOT_USER_ID, is_member: true } };
    },
    'conversations.invite': (p) => {
      const channel = this.channelOrError(p['channel']);
      if ('ok' in channel) return channel;
      const users = String(p['users'] ?? '').split(',').filter(Boolean);
      if (users.length === 0) return { ok: false, error: 'no_user' };
      if (users.includes(BOT_USER_ID)) return { ok: false, error: 'cant_invite_self' };
      const fresh = users.filter((u) => !channel.members.has(u));
      if (fresh.length === 0) return { ok: false, error: 'already_in_channel', errors: users.map((u) => ({ user: u, ok: false, error: 'already_in_channel' })) };
      for (const u of fresh) channel.members.add(u);
      return { ok: true, channel: { id: channel.id, name: channel.name } };
    },
    'conversations.setTopic': (p) => {
      const channel = this.channelOrError(p['channel']);
      if ('ok' in channel) return channel;
      channel.topic = String(p['topic'] ?? '');
      return { ok: true, channel: { id: channel.id, topic: { value: channel.topic } } };
    },
    'conversations.history': (p) => {
      // Channel ids only (a "#name" is channel_not_found), and only channels the bot is in.
      const channel = this.channelOrError(p['channel']);
      if ('ok' in channel) return channel;
      if (!channel.members.has(BOT_USER_ID)) return { ok: false, error: 'not_in_channel' };
      // Newest first; `oldest`/`latest` are exclusive unless `inclusive`. Compared as numbers.
      let list = this.messagesIn(channel.id).filter((m) => !m.threadTs);
      const inclusive = flag(p['inclusive']);
      if (p['latest']) list = list.filter((m) => (inclusive ? tsCompare(m.ts, String(p['latest'])) <= 0 : tsCompare(m.ts, String(p['latest'])) < 0));
      if (p['oldest']) list = list.filter((m) => (inclusive ? tsCompare(m.ts, String(p['oldest'])) >= 0 : tsCompare(m.ts, String(p['oldest'])) > 0));
      list.sort((a, b) => tsCompare(b.ts, a.ts));
      const page = paginate(list, p);
      if ('ok' in page) return page;
      const withMetadata = flag(p['include_all_metadata']);
      return {
        ok: true,
        messages: page.items.map((m) => this.asSlackMessage(m, withMetadata)),
        has_more: page.nextCursor !== '',
        pin_count: this.pins.get(channel.id)?.size ?? 0,
        response_metadata: { next_cursor: page.nextCursor },
      };
    },
    'conversations.list': (p) => {
      const types = String(p['types'] ?? 'public_channel').split(',');
      const list = [...this.channels.values()].filter((c) => types.includes(c.isPrivate ? 'private_channel' : 'public_channel'));
      // The bot sees public channels, and private ones only when it is a member.
      const visible = list.filter((c) => !c.isPrivate || c.members.has(BOT_USER_ID));
      const page = paginate(visible, p);
      if ('ok' in page) return page;
      return {
        ok: true,
        channels: page.items.map((c) => ({ id: c.id, name: c.name, is_channel: true, is_private: c.isPrivate, is_archived: false, is_member: c.members.has(BOT_USER_ID), num_members: c.members.size })),
        response_metadata: { next_cursor: page.nextCursor },
      };
    },
    'pins.add': (p) => {
      const channel = this.channelOrError(p['channel']);
      if ('ok' in channel) return channel;
      const ts = String(p['timestamp'] ?? '');
      if (!this.messages.some((m) => m.channel === channel.id && m.ts === ts)) return { ok: false, error: 'message_not_found' };
      const pins = this.pins.get(channel.id) ?? new Set<string>();
      if (pins.has(ts)) return { ok: false, error: 'already_pinned' };
      pins.add(ts);
      this.pins.set(channel.id, pins);
      return { ok: true };
    },
    'usergroups.users.list': (p) => {
      const users = this.usergroups.get(String(p['usergroup'] ?? ''));
      if (!users) return { ok: false, error: 'no_such_subteam' };
      return { ok: true, users };
    },
    'users.lookupByEmail': (p) => {
      const id = this.emails.get(String(p['email'] ?? '').toLowerCase());
      if (!id) return { ok: false, error: 'users_not_found' };
      const name = this.users.get(id) ?? id;
      return { ok: true, user: { id, team_id: TEAM_ID, name, real_name: name, profile: { email: p['email'], display_name: name, real_name: name } } };
    },
    'users.info': (p) => {
      const id = String(p['user'] ?? '');
      const name = this.users.get(id);
      if (!name) return { ok: false, error: 'user_not_found' };
      return { ok: true, user: { id, team_id: TEAM_ID, name, real_name: name, profile: { display_name: name, real_name: name } } };
    },
    'views.open': (p) => {
      const triggerId = String(p['trigger_id'] ?? '');
      if (!triggerId) return { ok: false, error: 'invalid_trigger_id' };
      const view = parseJsonParam(p['view']) as Record<string, unknown>;
      this.views.push({ triggerId, view });
      return { ok: true, view: { id: `V${this.views.length}`, ...view } };
    },
  };

  /** A message as the Web API shows it (bot messages carry bot_id and app_id). */
  private asSlackMessage(m: FakeMessage, withMetadata: boolean): Record<string, unknown> {
    const bot = m.user === BOT_USER_ID ? { bot_id: BOT_ID, app_id: APP_ID } : {};
    return { type: 'message', user: m.user, text: m.text, ts: m.ts, blocks: m.blocks, ...bot, ...(withMetadata && m.metadata ? { metadata: m.metadata } : {}) };
  }
}

const flag = (v: unknown): boolean => v === true || v === 'true' || v === '1';

/** Slack ts are "seconds.micros": compare them as numbers, not strings. */
function tsCompare(a: string, b: string): number {
  const [as = '0', am = '0'] = a.split('.');
  const [bs = '0', bm = '0'] = b.split('.');
  return Number(as) - Number(bs) || Number(am.padEnd(6, '0')) - Number(bm.padEnd(6, '0'));
}

/**
 * Cursor pagination as the Web API does it: `limit` (default 100, at most 999) items from the
 * position the opaque `cursor` encodes; `next_cursor` is "" on the last page.
 */
function paginate<T>(items: T[], p: Record<string, unknown>): { items: T[]; nextCursor: string } | { ok: false; error: string } {
  const limit = p['limit'] === undefined ? 100 : Number(p['limit']);
  if (!Number.isInteger(limit) || limit < 1 || limit > 999) return { ok: false, error: 'invalid_limit' };
  let offset = 0;
  if (p['cursor']) {
    const decoded = /^offset:(\d+)$/.exec(Buffer.from(String(p['cursor']), 'base64').toString('utf8'));
    if (!decoded) return { ok: false, error: 'invalid_cursor' };
    offset = Number(decoded[1]);
  }
  const end = offset + limit;
  return { items: items.slice(offset, end), nextCursor: end < items.length ? Buffer.from(`offset:${end}`).toString('base64') : '' };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function readBytes(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** The content of the first part of a multipart/form-data body (or the body itself when it is not multipart). */
function fileContent(contentType: string, body: Buffer): Buffer {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType);
  if (!contentType.startsWith('multipart/form-data') || !boundary) return body;
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  const start = body.indexOf(delimiter);
  const headersEnd = body.indexOf('\r\n\r\n', start);
  const end = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), headersEnd);
  if (start < 0 || headersEnd < 0 || end < 0) return body;
  return body.subarray(headersEnd + 4, end);
}

function parseParams(contentType: string, raw: string): Record<string, unknown> {
  if (!raw) return {};
  if (contentType.includes('application/json')) return JSON.parse(raw) as Record<string, unknown>;
  return Object.fromEntries(new URLSearchParams(raw));
}

/** The WebClient sends `blocks` and `view` as JSON strings inside the form. */
function parseJsonParam(value: unknown): unknown {
  if (value === undefined) return undefined;
  return typeof value === 'string' ? JSON.parse(value) : value;
}
