// Escalation without a pager product: a page nobody acknowledged within `escalateAfter` goes to
// the next step of `alerting.escalation` (a Slack user group, another channel, a pager service),
// one step per further `escalateAfter`, each step once. Pure: the caller passes the open pages
// with their acknowledgement and the steps already taken, and records what this returns.
export interface OpenPage {
  /** The alert instance (one per SLO and severity at a time). */
  key: string;
  sloId: string;
  firedAt: Date;
  acknowledgedAt: Date | null;
  /** How many steps were already notified for this page. */
  stepsDone: number;
}

export interface EscalationPolicy {
  escalateAfterSeconds: number;
  /** Outbox channels in order: "slack:#ml-leads", "slack:@ml-oncall-leads", "pagerduty:leads". */
  steps: readonly string[];
}

export interface EscalationStep {
  key: string;
  sloId: string;
  /** 1-based: the first escalation is step 1. */
  step: number;
  channel: string;
  /** When the step fell due (firedAt + step × escalateAfter), for the timeline. */
  dueAt: Date;
}

export function dueEscalations(pages: readonly OpenPage[], policyOf: (sloId: string) => EscalationPolicy | undefined, now: Date): EscalationStep[] {
  const out: EscalationStep[] = [];
  for (const page of pages) {
    const policy = policyOf(page.sloId);
    if (!policy || policy.steps.length === 0 || policy.escalateAfterSeconds <= 0) continue;
    for (let step = page.stepsDone + 1; step <= policy.steps.length; step++) {
      const dueAt = new Date(page.firedAt.getTime() + step * policy.escalateAfterSeconds * 1000);
      if (dueAt > now) break;
      // An acknowledgement before a step fell due stops the escalation there.
      if (page.acknowledgedAt && page.acknowledgedAt <= dueAt) break;
      out.push({ key: page.key, sloId: page.sloId, step, channel: policy.steps[step - 1] as string, dueAt });
    }
  }
  return out;
}
