// The actions table: one row per planned change, claimed atomically before it is executed.
import type { Queryable } from '../store/repositories/queryable.ts';
import type { Plan } from './plan.ts';

export type ActionState = 'planned' | 'approved' | 'executing' | 'done' | 'failed';

export interface ActionRow {
  id: number;
  key: string;
  kind: string;
  target: string;
  namespace: string;
  state: ActionState;
  dryRun: boolean;
  plan: Plan;
  requestedBy: string;
  requestedAt: Date;
  context: Record<string, unknown>;
  attempts: number;
  executedBy: string | null;
  startedAt: Date | null;
  finishedAt: Date | null;
  result: string | null;
  error: string | null;
  verification: Record<string, unknown> | null;
  /** 'pending': the verification is owed; 'reported': told once; null: none owed (dry run, failed, or older than migration 031). */
  verifyState: 'pending' | 'reported' | null;
  verifyOwner: string | null;
  verifyLeaseUntil: Date | null;
  /** When verification began (the change was done): the rollout's time budget counts from it. */
  verifyStartedAt: Date | null;
  verifyReportedAt: Date | null;
}

// biome-ignore lint/suspicious/noExplicitAny: database row
const toRow = (r: any): ActionRow => ({
  id: Number(r.id),
  key: r.key,
  kind: r.kind,
  target: r.target,
  namespace: r.namespace,
  state: r.state,
  dryRun: r.dry_run,
  plan: r.plan,
  requestedBy: r.requested_by,
  requestedAt: r.requested_at,
  context: r.context,
  attempts: r.attempts,
  executedBy: r.executed_by,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
  result: r.result,
  error: r.error,
  verification: r.verification,
  verifyState: r.verify_state ?? null,
  verifyOwner: r.verify_owner ?? null,
  verifyLeaseUntil: r.verify_lease_until ?? null,
  verifyStartedAt: r.verify_started_at ?? null,
  verifyReportedAt: r.verify_reported_at ?? null,
});

/** Inserts the action unless its key exists; returns the row either way and whether it was new. */
export async function insertAction(
  q: Queryable,
  a: { plan: Plan; dryRun: boolean; requestedBy: string; at: Date; context?: Record<string, unknown> },
): Promise<{ row: ActionRow; created: boolean }> {
  const inserted = await q.query(
    `INSERT INTO actions (key, kind, target, namespace, state, dry_run, plan, requested_by, requested_at, context)
     VALUES ($1, $2, $3, $4, 'planned', $5, $6, $7, $8, $9)
     ON CONFLICT (key) DO NOTHING RETURNING *`,
    [
      a.plan.key,
      a.plan.action,
      `${a.plan.target.namespace}/${a.plan.target.kind}/${a.plan.target.name}`,
      a.plan.target.namespace,
      a.dryRun,
      JSON.stringify(a.plan),
      a.requestedBy,
      a.at,
      JSON.stringify(a.context ?? {}),
    ],
  );
  if (inserted.rows[0]) return { row: toRow(inserted.rows[0]), created: true };
  return { row: (await getActionByKey(q, a.plan.key))!, created: false };
}

export async function getAction(q: Queryable, id: number): Promise<ActionRow | undefined> {
  const { rows } = await q.query('SELECT * FROM actions WHERE id = $1', [id]);
  return rows[0] ? toRow(rows[0]) : undefined;
}

export async function getActionByKey(q: Queryable, key: string): Promise<ActionRow | undefined> {
  const { rows } = await q.query('SELECT * FROM actions WHERE key = $1', [key]);
  return rows[0] ? toRow(rows[0]) : undefined;
}

/** A failed action may be tried again with a fresh plan: back to planned, approvals cleared. */
export async function replanFailed(q: Queryable, id: number, plan: Plan, by: string, at: Date): Promise<ActionRow | undefined> {
  await q.query('DELETE FROM action_approvals WHERE action_id = $1 AND EXISTS (SELECT 1 FROM actions WHERE id = $1 AND state = $2)', [id, 'failed']);
  const { rows } = await q.query(
    `UPDATE actions SET state = 'planned', plan = $2, requested_by = $3, requested_at = $4, error = NULL, result = NULL,
       started_at = NULL, finished_at = NULL, executed_by = NULL, verification = NULL,
       verify_state = NULL, verify_owner = NULL, verify_lease_until = NULL, verify_started_at = NULL, verify_reported_at = NULL
     WHERE id = $1 AND state = 'failed' RETURNING *`,
    [id, JSON.stringify(plan), by, at],
  );
  return rows[0] ? toRow(rows[0]) : undefined;
}

/** Records an approval; returns the distinct approvers so far. */
export async function addApproval(q: Queryable, id: number, approver: string, at: Date): Promise<string[]> {
  await q.query('INSERT INTO action_approvals (action_id, approver, at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [id, approver, at]);
  const { rows } = await q.query<{ approver: string }>('SELECT approver FROM action_approvals WHERE action_id = $1 ORDER BY at', [id]);
  return rows.map((r) => r.approver);
}

export async function listApprovals(q: Queryable, id: number): Promise<string[]> {
  const { rows } = await q.query<{ approver: string }>('SELECT approver FROM action_approvals WHERE action_id = $1 ORDER BY at', [id]);
  return rows.map((r) => r.approver);
}

export async function markApproved(q: Queryable, id: number): Promise<void> {
  await q.query(`UPDATE actions SET state = 'approved' WHERE id = $1 AND state = 'planned'`, [id]);
}

/**
 * The claim: exactly one caller moves an approved action to executing. Everyone else gets
 * undefined and reads the row to report its state.
 */
export async function claimForExecution(q: Queryable, id: number, by: string, at: Date): Promise<ActionRow | undefined> {
  const { rows } = await q.query(
    `UPDATE actions SET state = 'executing', executed_by = $2, started_at = $3, attempts = attempts + 1
     WHERE id = $1 AND state = 'approved' RETURNING *`,
    [id, by, at],
  );
  return rows[0] ? toRow(rows[0]) : undefined;
}

/**
 * Ends the execution. `verify` (a real change that is done) makes the verification owed, leased to
 * `owner` when the executing replica goes on to verify it itself (null: whoever resumes it).
 */
export async function finishAction(
  q: Queryable,
  id: number,
  outcome: { state: 'done' | 'failed'; at: Date; result?: string; error?: string; verify?: { owner: string | null; leaseUntil: Date | null } },
): Promise<void> {
  await q.query(
    `UPDATE actions SET state = $2, finished_at = $3, result = $4, error = $5,
       verify_state = CASE WHEN $6::boolean THEN 'pending' ELSE verify_state END,
       verify_owner = $7, verify_lease_until = $8, verify_started_at = CASE WHEN $6::boolean THEN $3 ELSE verify_started_at END
     WHERE id = $1 AND state = 'executing'`,
    [id, outcome.state, outcome.at, outcome.result ?? null, outcome.error ?? null, outcome.verify !== undefined, outcome.verify?.owner ?? null, outcome.verify?.leaseUntil ?? null],
  );
}

/** Who verifies: this process (`owner`, "<identity>#<instance>") of a replica (`identity`). */
export interface VerifierId {
  owner: string;
  identity: string;
}

// A lease another process may take: none, run out, or held by a previous process of the same
// replica (same identity, another instance: it is dead, since this one runs under its name).
// Placeholders: the owner, now, the identity.
const takeable = (owner: string, now: string, identity: string) => `(verify_owner IS NULL OR verify_lease_until IS NULL OR verify_lease_until <= ${now}
  OR (substr(verify_owner, 1, length(${identity}) + 1) = ${identity} || '#' AND verify_owner <> ${owner}))`;

/**
 * The verification claim: the lease goes to this process when the verification is owed and no
 * other live process holds it. `ownToo`: also when this process holds it already (the executing
 * process going on to verify what it just did); a resume passes false, so it never takes over
 * what this process is about to verify itself.
 */
export async function claimVerification(q: Queryable, id: number, me: VerifierId, now: Date, leaseUntil: Date, ownToo: boolean): Promise<ActionRow | undefined> {
  const { rows } = await q.query(
    `UPDATE actions SET verify_owner = $2, verify_lease_until = $5, verify_started_at = COALESCE(verify_started_at, $3)
     WHERE id = $1 AND verify_state = 'pending' AND (${takeable('$2', '$3', '$4')} OR ($6::boolean AND verify_owner = $2))
     RETURNING *`,
    [id, me.owner, now, me.identity, leaseUntil, ownToo],
  );
  return rows[0] ? toRow(rows[0]) : undefined;
}

/** Extends the lease before a wait; false when another replica took the verification over. */
export async function renewVerificationLease(q: Queryable, id: number, owner: string, leaseUntil: Date): Promise<boolean> {
  const { rowCount } = await q.query(
    `UPDATE actions SET verify_lease_until = $3 WHERE id = $1 AND verify_owner = $2 AND verify_state = 'pending'`,
    [id, owner, leaseUntil],
  );
  return rowCount === 1;
}

/** Stores the result, once, by the lease holder; false when it lost the lease or a result is already stored. */
export async function saveVerification(q: Queryable, id: number, owner: string, verification: Record<string, unknown>): Promise<boolean> {
  const { rowCount } = await q.query(
    `UPDATE actions SET verification = $3 WHERE id = $1 AND verify_owner = $2 AND verify_state = 'pending' AND verification IS NULL`,
    [id, owner, JSON.stringify(verification)],
  );
  return rowCount === 1;
}

/** The result was told: nothing is owed any more. */
export async function markVerificationReported(q: Queryable, id: number, owner: string, at: Date): Promise<boolean> {
  const { rowCount } = await q.query(
    `UPDATE actions SET verify_state = 'reported', verify_reported_at = $3, verify_lease_until = NULL
     WHERE id = $1 AND verify_owner = $2 AND verify_state = 'pending'`,
    [id, owner, at],
  );
  return rowCount === 1;
}

/** Verifications owed that this process may take over now. */
export async function listVerificationsDue(q: Queryable, me: VerifierId, now: Date): Promise<ActionRow[]> {
  const { rows } = await q.query(`SELECT * FROM actions WHERE verify_state = 'pending' AND ${takeable('$1', '$2', '$3')} ORDER BY id`, [me.owner, now, me.identity]);
  return rows.map(toRow);
}

export async function listActionsInState(q: Queryable, state: ActionState): Promise<ActionRow[]> {
  const { rows } = await q.query('SELECT * FROM actions WHERE state = $1 ORDER BY id', [state]);
  return rows.map(toRow);
}

/** The last completed (not dry-run) action on a target, to say who already did it. */
export async function lastDoneOn(q: Queryable, target: string): Promise<ActionRow | undefined> {
  const { rows } = await q.query(`SELECT * FROM actions WHERE target = $1 AND state = 'done' AND NOT dry_run ORDER BY finished_at DESC LIMIT 1`, [
    target,
  ]);
  return rows[0] ? toRow(rows[0]) : undefined;
}
