// Rollbacks and re-runs requested in a period, whether they worked, and how long
// it took from the page that called for them to the remediation being done.
import { median, secondsBetween } from './figures.ts';
import { inPeriod } from './in-period.ts';
import type { RemediationSummary, ReportPeriod } from './report-data.ts';
import type { AlertRecord, RemediationRecord } from './report-inputs.ts';

/** A page older than this before the request is not what the remediation answered. */
export const PAGE_LOOKBACK_SECONDS = 24 * 3600;

function lastPageBefore(
  remediation: RemediationRecord,
  alerts: readonly AlertRecord[],
  serviceOf: (sloId: string) => string | undefined,
): AlertRecord | undefined {
  const requested = Date.parse(remediation.requestedAt);
  return alerts
    .filter((a) => a.severity === 'page')
    .filter((a) => (remediation.sloId !== null ? a.sloId === remediation.sloId : serviceOf(a.sloId) === remediation.service))
    .filter((a) => {
      const fired = Date.parse(a.firedAt);
      return fired <= requested && requested - fired <= PAGE_LOOKBACK_SECONDS * 1000;
    })
    .sort((a, b) => Date.parse(b.firedAt) - Date.parse(a.firedAt))[0];
}

export function remediationSummary(
  remediations: readonly RemediationRecord[],
  alerts: readonly AlertRecord[],
  serviceOf: (sloId: string) => string | undefined,
  period: ReportPeriod,
  previous: ReportPeriod,
): RemediationSummary {
  const current = remediations
    .filter((r) => inPeriod(r.requestedAt, period))
    .sort((a, b) => Date.parse(a.requestedAt) - Date.parse(b.requestedAt));
  const entries = current.map((r) => {
    const page = lastPageBefore(r, alerts, serviceOf);
    return {
      id: r.id,
      kind: r.kind,
      sloId: r.sloId,
      target: r.target,
      requestedAt: r.requestedAt,
      completedAt: r.completedAt,
      outcome: r.outcome,
      pageToRemediationSeconds: page && r.outcome === 'succeeded' ? secondsBetween(page.firedAt, r.completedAt) : null,
    };
  });
  return {
    rollbacks: entries.filter((e) => e.kind === 'rollback').length,
    reruns: entries.filter((e) => e.kind === 'rerun').length,
    succeeded: entries.filter((e) => e.outcome === 'succeeded').length,
    failed: entries.filter((e) => e.outcome === 'failed').length,
    previousCount: remediations.filter((r) => inPeriod(r.requestedAt, previous)).length,
    medianPageToRemediationSeconds: median(entries.map((e) => e.pageToRemediationSeconds)),
    remediations: entries,
  };
}
