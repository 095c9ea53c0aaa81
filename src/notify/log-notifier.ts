// Notifications as structured log lines: the notifier that always works, so a
// fresh install without Slack or a webhook still says what fired.
import type { Logger } from 'pino';
import type { Notification, Notifier } from './notifier.ts';

export function logNotifier(logger: Logger): Notifier {
  return {
    name: 'log',
    send: async (n) => {
      logger.info({ notification: { key: n.idempotencyKey, kind: n.kind, channel: n.channel, ...n.payload } }, `notification ${n.kind}`);
      return undefined;
    },
  };
}

export type { Notification };
