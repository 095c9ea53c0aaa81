// The write half of the lifecycle API (incidents, silences, alerts): once per
// Idempotency-Key (migration 051's table), audited, in one transaction with the write.
import type { Request, Response } from 'express';
import type { Clock } from '../../domain/clock.ts';
import { IncidentError } from '../../incidents/incident-error.ts';
import { type Db, withTransaction } from '../../store/db.ts';
import { recordAudit } from '../../store/repositories/audit-log.ts';
import { claimIdempotencyKey, idempotentAnswer, storeIdempotentAnswer } from '../../store/repositories/idempotency-keys.ts';
import type { Queryable } from '../../store/repositories/queryable.ts';

export interface IdempotentDeps {
  db: Db;
  clock: Clock;
  outboxWritten: () => void;
}

const STATUS_OF_ERROR: Record<string, number> = { not_found: 404, invalid_transition: 409, already_resolved: 409, bad_command: 400 };

/**
 * Runs a write once per Idempotency-Key: in one transaction the key is claimed, the write done,
 * the answer stored and the action audited; a repeat gets the stored answer back.
 */
export async function idempotent(
  deps: IdempotentDeps,
  req: Request,
  res: Response,
  route: string,
  write: (q: Queryable, at: Date) => Promise<{ status: number; body: unknown; audit: { action: string; target: string; actor: string; details?: Record<string, unknown> } }>,
): Promise<void> {
  const key = req.get('idempotency-key')?.trim();
  if (key !== undefined && (key.length === 0 || key.length > 200)) {
    res.status(400).json({ error: 'Idempotency-Key must be 1 to 200 characters' });
    return;
  }
  const scoped = key ? `${route}|${key}` : undefined;
  try {
    const answer = await withTransaction(deps.db, async (q) => {
      const at = deps.clock.now();
      if (scoped && !(await claimIdempotencyKey(q, scoped, route, at))) {
        return { replayed: true, ...((await idempotentAnswer(q, scoped)) ?? { status: 409, body: { error: 'a request with this Idempotency-Key is still being processed' } }) };
      }
      const done = await write(q, at);
      if (scoped) await storeIdempotentAnswer(q, scoped, done.status, done.body);
      await recordAudit(q, { at, actor: done.audit.actor, action: done.audit.action, target: done.audit.target, result: 'ok', details: { ...done.audit.details, ...(key ? { idempotencyKey: key } : {}) } });
      return { replayed: false, status: done.status, body: done.body };
    });
    if (!answer.replayed) deps.outboxWritten();
    if (answer.replayed) res.set('idempotent-replayed', 'true');
    res.status(answer.status).json(answer.body);
  } catch (error) {
    if (error instanceof IncidentError) {
      res.status(STATUS_OF_ERROR[error.code] ?? 400).json({ error: error.message });
      return;
    }
    throw error;
  }
}

