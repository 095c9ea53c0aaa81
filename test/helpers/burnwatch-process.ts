// `burnwatch serve` as a real child process (node bin/burnwatch.mjs serve), with its
// JSON log lines collected so a test can wait for what it says.
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/burnwatch.mjs', import.meta.url));
export const REPO_ROOT = path.dirname(path.dirname(BIN));

export interface BurnwatchProcess {
  child: ChildProcess;
  lines: string[];
  url: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<string>;
  kill(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts the service; resolves once it listens (or rejects with its output if it exits first). */
export async function startBurnwatch(env: Record<string, string | undefined>, opts: { cwd?: string; waitListening?: boolean } = {}): Promise<BurnwatchProcess> {
  const clean = Object.fromEntries(Object.entries({ ...process.env, ...env }).filter(([, v]) => v !== undefined)) as Record<string, string>;
  const child = spawn(process.execPath, [BIN, 'serve'], { env: clean, cwd: opts.cwd ?? REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const waiters: Array<{ pattern: RegExp; resolve: (l: string) => void }> = [];
  const onData = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line) continue;
      lines.push(line);
      for (const w of [...waiters]) {
        if (w.pattern.test(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    }
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const waitForLog = (pattern: RegExp, timeoutMs = 30_000) => {
    const seen = lines.find((l) => pattern.test(l));
    if (seen) return Promise.resolve(seen);
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no log line matching ${pattern} within ${timeoutMs} ms:\n${lines.slice(-30).join('\n')}`)), timeoutMs);
      waiters.push({
        pattern,
        resolve: (l) => {
          clearTimeout(timer);
          resolve(l);
        },
      });
      void exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`burnwatch exited before logging ${pattern}:\n${lines.slice(-30).join('\n')}`));
      });
    });
  };
  let url = '';
  if (opts.waitListening !== false) {
    const line = await waitForLog(/burnwatch listening on/, 60_000);
    url = JSON.parse(line).url;
  }
  return {
    child,
    lines,
    url,
    exited,
    waitForLog,
    kill: async (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
