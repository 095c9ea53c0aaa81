import { describe, expect, it } from 'vitest';
import { main } from './main.ts';

async function run(...args: string[]): Promise<{ code: number; out: string }> {
  const out: string[] = [];
  const { write } = process.stdout;
  const writeErr = process.stderr.write;
  const capture = ((chunk: string) => out.push(String(chunk)) > 0) as typeof process.stdout.write;
  process.stdout.write = capture;
  process.stderr.write = capture;
  try {
    return { code: await main(['node', 'burnwatch', ...args]), out: out.join('') };
  } finally {
    process.stdout.write = write;
    process.stderr.write = writeErr;
  }
}

describe('cli', () => {
  it('prints help listing every command and exits 0', async () => {
    const { code, out } = await run('--help');
    expect(code).toBe(0);
    expect(out).toMatch(/Usage: burnwatch/);
    for (const name of ['validate', 'check', 'serve', 'report', 'rollback', 'postmortem']) expect(out).toContain(name);
  });

  it("prints one command's help when only that command is loaded", async () => {
    const { code, out } = await run('check', '--help');
    expect(code).toBe(0);
    expect(out).toMatch(/Usage: burnwatch check/);
    expect(out).toContain('--fail-on');
  });

  it('suggests the nearest command for a mistyped one', async () => {
    const { code, out } = await run('chek');
    expect(code).not.toBe(0);
    expect(out).toMatch(/unknown command 'chek'[\s\S]*check/);
  });
});
