// A burn starts; burnwatch points at the change just before it and offers the rollback.
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { findSuspectedChanges } from '../../src/actions/suspected-change.ts';
import type { Store } from '../../src/store/open-store.ts';
import { insertChangeEvent } from '../../src/store/repositories/change-events.ts';
import { alice, harness, openTestStore } from './harness.ts';
import { seedDeployment } from './workloads.ts';

let store: Store;
let closeStore: () => Promise<void>;
beforeAll(async () => {
  ({ store, close: closeStore } = await openTestStore('postgres'));
});
afterAll(() => closeStore());
let h: Awaited<ReturnType<typeof harness>>;
afterEach(() => h?.close());

it('offers "roll back to revision N (model v41; v42 deployed 12 min before the burn)" and lists change events', async () => {
  h = await harness(store);
  // v40 at 10:00, v41 at 10:10, v42 at 10:20 (revision 3)
  seedDeployment(h.k8s, h.clock, { namespace: 'ml-serving', name: 'ranker', versions: ['v40', 'v41', 'v42'] });
  seedDeployment(h.k8s, h.clock, { namespace: 'ml-serving', name: 'other', versions: ['v1'] });
  await insertChangeEvent(store.db, { at: new Date('2026-11-20T10:25:00Z'), kind: 'feature-flag', subject: 'ranker', summary: 'enable long-history features', service: 'ranking', actor: 'ci' }, new Date());
  await insertChangeEvent(store.db, { at: new Date('2026-11-20T10:25:00Z'), kind: 'deploy', subject: 'search', summary: 'search v9', service: 'search' }, new Date());
  const burnStart = new Date('2026-11-20T10:32:00Z');
  const changes = await findSuspectedChanges({
    clients: h.clients,
    db: store.db,
    targets: [{ kind: 'Deployment', namespace: 'ml-serving', name: 'ranker' }],
    burnStart,
    lookbackMinutes: 15,
    service: 'ranking',
  });
  expect(changes.map((c) => c.summary)).toEqual([
    'feature-flag: enable long-history features by ci (7 min before the burn)',
    'Deployment ml-serving/ranker revision 3 (model v42)',
  ]);
  const suspect = changes[1]!;
  expect(suspect.offer).toBe('roll back to revision 2 (model v41; v42 deployed 12 min before the burn)');

  // the offered rollback is pinned: it does what it said, once
  const prepared = await h.runner.prepare(alice, suspect.rollback!);
  if (prepared.status !== 'ready') throw new Error(prepared.message);
  expect(prepared.plan.to).toMatchObject({ revision: '2', modelVersion: 'v41' });
  expect((await h.runner.confirm(alice, prepared.action.id)).status).toBe('done');
  h.k8s.completeRollout('Deployment', 'ml-serving', 'ranker');
  const again = await h.runner.prepare(alice, suspect.rollback!);
  expect(again.status).toBe('noop');
  expect(again.message).toContain('already rolled back. It was done by U0ALICE');

  // nothing in the window: nothing suspected
  const quiet = await findSuspectedChanges({
    clients: h.clients,
    targets: [{ kind: 'Deployment', namespace: 'ml-serving', name: 'other' }],
    burnStart: new Date('2026-11-20T12:00:00Z'),
  });
  expect(quiet).toEqual([]);
});
