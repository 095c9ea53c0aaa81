// pino JSON logs. Secrets never reach a log line: known secret-bearing paths are redacted.
import { pino, type Logger } from 'pino';
import { redact } from '../secrets/redact.ts';

export type { Logger };

export const REDACT_PATHS = [
  '*.token',
  '*.apiToken',
  '*.secret',
  '*.password',
  '*.authorization',
  '*.botToken',
  '*.signingSecret',
  'headers.authorization',
  'req.headers.authorization',
  'req.headers["x-burnwatch-signature"]',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      name: 'burnwatch',
      level,
      redact: { paths: REDACT_PATHS, censor: '***' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    redactingDestination(destination ?? pino.destination({ fd: 1, sync: true })),
  );
}

/** Every line passes the process-wide redaction of values that came from the environment. */
export function redactingDestination(destination: pino.DestinationStream): pino.DestinationStream {
  return { write: (line: string) => destination.write(redact(line)) };
}
