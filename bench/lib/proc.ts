// Process figures from /proc: CPU seconds of another process (Prometheus) and child runs.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';

const TICKS = 100; // USER_HZ on Linux

/** User + system CPU seconds a process has used so far. */
export async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS;
}

/** Runs a bench script in its own Node process (so its memory is its own) and parses its JSON line. */
export async function runChild<T>(script: string, args: string[], nodeFlags: readonly string[] = []): Promise<T> {
  const { stdout } = await promisify(execFile)(process.execPath, [...nodeFlags, script, ...args], { maxBuffer: 64 << 20 });
  const line = stdout.trim().split('\n').at(-1)!;
  return JSON.parse(line) as T;
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
