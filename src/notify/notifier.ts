// One interface per notification channel (Alertmanager-style): a notifier sends one
// message and, when it fails, says whether retrying may help (NotifyError.retryable).
// The outbox routes a message to the notifier named by its channel's prefix:
// "webhook" → webhook, "log" → log, "slack:#ml-oncall" → slack.

export interface Notification {
  idempotencyKey: string;
  channel: string;
  kind: string;
  payload: Record<string, unknown>;
  /** 1 for the first attempt. */
  attempt: number;
  /** A silence matches it (only notifiers with receivesMuted get such a message). */
  muted?: boolean;
}

export interface Notifier {
  /** The channel prefix this notifier serves. */
  readonly name: string;
  /**
   * Gets muted messages too, flagged `muted` (the Slack bot keeps its alert episodes and shows
   * the silence); every other notifier never sees a message a silence matches.
   */
  readonly receivesMuted?: boolean;
  /** Resolves when delivered (optionally with what to keep, e.g. a Slack ts); throws NotifyError otherwise. */
  send(notification: Notification, signal: AbortSignal): Promise<Record<string, unknown> | undefined>;
}

export function notifierNameOf(channel: string): string {
  const colon = channel.indexOf(':');
  return colon === -1 ? channel : channel.slice(0, colon);
}
