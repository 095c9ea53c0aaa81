import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runValidate } from '../../src/cli/commands/validate.ts';

let dir: string;
const slo = (name: string, runbook: string) => `apiVersion: burnwatch/v1
kind: SLO
metadata: { name: ${name}, service: ranker }
spec:
  objective: 99.9
  window: 28d
  indicator:
    ratio:
      bad: sum(rate(bad_total[$window]))
      total: sum(rate(all_total[$window]))
  alerting:
    runbook: ${runbook}
`;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'burnwatch-runbook-'));
  await fs.mkdir(path.join(dir, 'slos'));
  await fs.mkdir(path.join(dir, 'playbooks'));
  await fs.mkdir(path.join(dir, 'docs'));
  await fs.writeFile(path.join(dir, 'playbooks', 'ranker.md'), '# Ranker\n');
  await fs.writeFile(path.join(dir, 'docs', 'ranker.md'), '# Ranker\n');
  await fs.writeFile(path.join(dir, 'slos', 'a.yaml'), `${slo('served', 'playbooks/ranker.md')}---\n${slo('elsewhere', 'docs/ranker.md')}`);
});
afterAll(() => fs.rm(dir, { recursive: true, force: true }));

describe('validate: runbook links', () => {
  it('warns, at file:line, about a runbook path that neither the console nor a base URL can link', async () => {
    const { code, output } = await runValidate(['slos'], { format: 'text' }, { cwd: dir, env: {} });
    expect(code).toBe(0);
    expect(output).toMatch(/slos\/a\.yaml:\d+:1 spec\.alerting\.runbook: warning: runbook "docs\/ranker\.md" will not be a link/);
    expect(output).not.toContain('"playbooks/ranker.md" will not be a link');
    expect(output).toContain('1 warning');
  });

  it('is quiet when BURNWATCH_RUNBOOK_BASE_URL turns paths into links', async () => {
    const { output } = await runValidate(['slos'], { format: 'text' }, { cwd: dir, env: { BURNWATCH_RUNBOOK_BASE_URL: 'https://git.example/repo/blob/main/' } });
    expect(output).toContain('0 warnings');
  });
});
