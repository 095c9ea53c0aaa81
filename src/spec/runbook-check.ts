// `validate`: a runbook written as a path is a link in Slack only when the console can
// serve it (a Markdown file of the playbooks folder, linked under BURNWATCH_PUBLIC_URL)
// or BURNWATCH_RUNBOOK_BASE_URL turns it into a URL; otherwise people get bare text.
import type { Slo } from '../domain/slo.ts';
import type { Problem } from '../spec/problem.ts';
import { isUrl, playbookPath } from './runbooks.ts';

export function runbookLinkProblems(slos: readonly Slo[], env: NodeJS.ProcessEnv, cwd: string): Problem[] {
  if (env.BURNWATCH_RUNBOOK_BASE_URL) return [];
  const playbooks = env.BURNWATCH_PLAYBOOKS_DIR || 'playbooks';
  return slos
    .filter((s) => s.alerting.runbook !== undefined && !isUrl(s.alerting.runbook) && playbookPath(s.alerting.runbook, playbooks, cwd) === undefined)
    .map((s) => ({
      severity: 'warning' as const,
      code: 'reference' as const,
      file: s.origin.file,
      line: s.origin.line,
      column: 1,
      path: 'spec.alerting.runbook',
      message: `runbook ${JSON.stringify(s.alerting.runbook)} will not be a link: put it in ${playbooks}/ as Markdown (the console serves it under BURNWATCH_PUBLIC_URL) or set BURNWATCH_RUNBOOK_BASE_URL`,
    }));
}
