import { describe, expect, it } from 'vitest';
import { main } from './main.ts';

describe('cli', () => {
  it('prints help and exits 0', async () => {
    const out: string[] = [];
    const write = process.stdout.write;
    process.stdout.write = ((chunk: string) => out.push(String(chunk)) > 0) as typeof process.stdout.write;
    try {
      expect(await main(['node', 'burnwatch', '--help'])).toBe(0);
    } finally {
      process.stdout.write = write;
    }
    expect(out.join('')).toMatch(/Usage: burnwatch/);
  });
});
