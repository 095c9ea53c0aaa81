// pino logs: JSON lines for machines (not a terminal, or BURNWATCH_LOG_FORMAT=json), readable
// lines for people on a terminal (pino-pretty, loaded only then; queries shortened). Secrets
// never reach a log line: known secret-bearing paths are redacted.
import { createRequire } from 'node:module';
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

export type LogFormat = 'auto' | 'json' | 'pretty';

/** pino-pretty as a synchronous stream to stdout: one line per entry, long queries cut. */
function prettyStream(): pino.DestinationStream {
  const pretty = createRequire(import.meta.url)('pino-pretty') as (opts: Record<string, unknown>) => pino.DestinationStream;
  const short = (v: unknown) => {
    const text = typeof v === 'string' ? v : JSON.stringify(v);
    return text.length > 120 ? `${text.slice(0, 117)}…` : text;
  };
  return pretty({
    sync: true,
    colorize: true,
    singleLine: true,
    translateTime: 'SYS:HH:MM:ss',
    ignore: 'pid,hostname,name',
    customPrettifiers: { query: short, queries: short, promql: short, sql: short, config: short },
  });
}

/** The stream a format asks for: `auto` is readable on a terminal and JSON anywhere else. */
export function logDestination(format: LogFormat = 'auto', isTty: boolean = process.stdout.isTTY === true): pino.DestinationStream {
  return format === 'pretty' || (format === 'auto' && isTty) ? prettyStream() : pino.destination({ fd: 1, sync: true });
}

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
