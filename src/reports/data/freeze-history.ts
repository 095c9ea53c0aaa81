// Deploy freezes from the store, for the report; undefined when the store has no freezes table.
import { freezesBetween } from '../../store/repositories/budget-freezes.ts';
import type { Queryable } from '../../store/repositories/queryable.ts';
import type { FreezeRecord } from '../report-inputs.ts';

export async function loadFreezes(db: Queryable, from: Date, to: Date): Promise<FreezeRecord[] | undefined> {
  try {
    return (await freezesBetween(db, from, to)).map((f) => ({ policy: f.policy, sloId: f.sloId, startedAt: f.startedAt.toISOString(), endedAt: f.endedAt?.toISOString() ?? null }));
  } catch (error) {
    if ((error as { code?: string }).code === '42P01') return undefined; // undefined_table: a store from before migration 100
    throw error;
  }
}
