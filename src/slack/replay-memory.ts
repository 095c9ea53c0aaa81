// The replay memory of the Slack request guard, kept in the store (shared by every replica).
import type { Db } from '../store/db.ts';
import { isRemembered, pruneRequestReplays, rememberRequest } from '../store/repositories/request-replays.ts';
import type { ReplayMemory } from './signed-request-guard.ts';

const PRUNE_EVERY_MS = 60_000;

export function storeReplayMemory(db: Db): ReplayMemory {
  let prunedAt = 0;
  return {
    remember: async (key, at, expiresAt) => {
      if (at.getTime() - prunedAt > PRUNE_EVERY_MS) {
        prunedAt = at.getTime();
        await pruneRequestReplays(db, at);
      }
      return rememberRequest(db, key, at, expiresAt);
    },
    seen: (key, at) => isRemembered(db, key, at),
  };
}
