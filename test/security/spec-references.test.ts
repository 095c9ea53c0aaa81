// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these tests are about ${VAR} expansion
// What a spec file may make burnwatch read or echo: environment values only where an
// address or a secret belongs (and never echoed), files only inside the repository root.
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearSecrets, redact } from '../../src/secrets/redact.ts';
import { resolveInsideRoot } from '../../src/spec/file-reference.ts';
import { loadSpecs } from '../../src/spec/load.ts';
import { makeTempDir } from '../helpers/test-databases.ts';

const SECRET = 'Xq7-the-signing-secret-9Lm2';

let repo: string;
let outside: string;
beforeAll(async () => {
  repo = await makeTempDir('bw-repo-');
  outside = await makeTempDir('bw-outside-');
  await fs.mkdir(path.join(repo, 'slos'));
  await fs.mkdir(path.join(repo, 'playbooks'));
  await fs.writeFile(path.join(repo, 'playbooks', 'ok.md'), '# runbook\n');
  await fs.writeFile(path.join(outside, 'secret.md'), 'root:x:0:0\n');
  await fs.symlink(path.join(outside, 'secret.md'), path.join(repo, 'playbooks', 'link-out.md'));
  await fs.symlink(path.join(repo, 'playbooks', 'ok.md'), path.join(repo, 'playbooks', 'link-in.md'));
});
afterAll(async () => {
  clearSecrets();
  await fs.rm(repo, { recursive: true, force: true });
  await fs.rm(outside, { recursive: true, force: true });
});

const slo = (name: string, spec: string) => `apiVersion: burnwatch/v1
kind: SLO
metadata: { name: ${name}, service: hstu-ranker }
spec:
  objective: 99
  window: 30d
  indicator:
    ratio: { bad: "sum(rate(e[5m]))", total: "sum(rate(r[5m]))" }
${spec}`;

async function load(text: string, env: Record<string, string> = {}) {
  await fs.writeFile(path.join(repo, 'slos', 'x.yaml'), text);
  return loadSpecs(['slos'], { cwd: repo, env });
}

describe('environment values in spec files', () => {
  const env = { SLACK_SIGNING_SECRET: SECRET, TENANT: `tenant-${SECRET}` };

  it.each([
    ['window', slo('a', '').replace('window: 30d', 'window: "${SLACK_SIGNING_SECRET}"'), 'spec.window'],
    ['description', slo('a', '  description: "${SLACK_SIGNING_SECRET}"\n'), 'spec.description'],
    ['a query', slo('a', '').replace('sum(rate(e[5m]))', 'sum(rate(e{x=\\"${SLACK_SIGNING_SECRET}\\"}[5m]))'), 'spec.indicator.ratio.bad'],
    ['a name', slo('a', '').replace('name: a', 'name: "${SLACK_SIGNING_SECRET}"'), 'metadata.name'],
    ['a runbook', slo('a', '  alerting: { runbook: "${SLACK_SIGNING_SECRET}" }\n'), 'spec.alerting.runbook'],
  ])('are refused in %s, naming the field, never echoing the value', async (_what, text, field) => {
    const { slos, problems } = await load(text, env);
    expect(slos).toEqual([]);
    const problem = problems.find((p) => p.path === field);
    expect(problem?.message).toMatch(/expanded only in a DataSource's url, headers/);
    expect(problem?.line).toBeGreaterThan(1);
    expect(JSON.stringify(problems)).not.toContain(SECRET);
  });

  it('are expanded in a DataSource url and headers; a header value is redacted wherever it would be shown', async () => {
    const { sources, problems } = await load(
      `apiVersion: burnwatch/v1
kind: DataSource
metadata: { name: prometheus }
spec:
  prometheus: { url: "http://127.0.0.1:9090", headers: { X-Scope-OrgID: "\${TENANT}" } }
---
${slo('b', '')}`,
      env,
    );
    expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(sources.find((s) => s.name === 'prometheus')).toMatchObject({ headers: { 'X-Scope-OrgID': `tenant-${SECRET}` } });
    expect(redact(`the header was tenant-${SECRET}`)).toBe('the header was ***');
  });

  it('a URL that fails validation is shown without the password it got from the environment', async () => {
    const { problems } = await load(
      `apiVersion: burnwatch/v1
kind: DataSource
metadata: { name: pg }
spec:
  postgres: { url: "\${DB}" }
`,
      { DB: `mysql://bw:${SECRET}@db/x` },
    );
    expect(problems.map((p) => p.path)).toContain('spec.postgres.url');
    expect(JSON.stringify(problems)).not.toContain(SECRET);
  });
});

describe('file references stay inside the repository root', () => {
  it.each([
    ['an absolute path', '/etc/passwd', /absolute path/],
    ['a path going up', '../../../../etc/passwd', /goes up with ".."/],
    ['a path going up in the middle', 'playbooks/../../x.md', /goes up with ".."/],
    ['a symlink that leads out', 'playbooks/link-out.md', /symlink that leads outside the repository root/],
    ['a file: URL', 'file:///etc/passwd', /not a file: reference/],
    ['a javascript: link', 'javascript:alert(1)', /not a javascript: reference/],
    ['a missing file', 'playbooks/missing.md', /does not exist/],
  ])('refuses %s, at file:line', async (_what, ref, message) => {
    for (const field of ['runbook', 'postmortemTemplate']) {
      const { slos, problems } = await load(slo('c', `  alerting:\n    ${field}: "${ref}"\n`));
      expect(slos).toEqual([]);
      const problem = problems.find((p) => p.path === `spec.alerting.${field}`);
      expect(problem, `${field}: ${ref}`).toMatchObject({ file: path.join('slos', 'x.yaml'), line: 10, code: 'reference' });
      expect(problem!.message).toMatch(message);
    }
  });

  it('accepts files inside (also through a symlink that stays inside) and http(s) runbook links', async () => {
    for (const ref of ['playbooks/ok.md', './playbooks/ok.md', 'playbooks/link-in.md', 'https://runbooks.example.com/x']) {
      const { slos, problems } = await load(slo('d', `  alerting:\n    runbook: "${ref}"\n`));
      expect(problems, ref).toEqual([]);
      expect(slos).toHaveLength(1);
    }
  });

  it('is checked again where the bot reads a template (a spec changed after validation cannot post /etc/passwd)', () => {
    expect(() => resolveInsideRoot('/etc/passwd', repo)).toThrow(/absolute path/);
    expect(() => resolveInsideRoot('playbooks/link-out.md', repo)).toThrow(/symlink/);
    expect(() => resolveInsideRoot('https://wiki.example.com/pm', repo)).toThrow(/must be a file of the repository/);
    expect(resolveInsideRoot('playbooks/link-in.md', repo)).toMatch(/playbooks\/ok\.md$/);
  });
});
