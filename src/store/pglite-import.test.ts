// An earlier burnwatch kept its state in PGlite (<data dir>/pgdata). The SQLite store refuses to
// start beside it with the command to run, and that command carries the state over once.
import fs from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../test/helpers/test-databases.ts';
import { migrate } from './migrate.ts';
import { openStore } from './open-store.ts';
import { importPglite } from './pglite-import.ts';
import { loadAlertStates, saveAlertState } from './repositories/alert-state.ts';
import { listAudit, recordAudit } from './repositories/audit-log.ts';
import { insertIncident, listIncidents } from '../incidents/incident-store.ts';
import { enqueue, getByKey } from './repositories/outbox.ts';

const T0 = new Date('2026-11-20T10:00:00Z');

describe('a PGlite state left by an earlier burnwatch', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await makeTempDir('bw-legacy-');
    const lite = await PGlite.create({ dataDir: path.join(dir, 'pgdata') });
    const db = new pg.Pool(createPgConfig(lite) as unknown as pg.PoolConfig);
    try {
      await migrate(db);
      await saveAlertState(db, { sloId: 'recs/ranker', tier: 'page:1h/5m', state: 'firing', since: T0, updatedAt: T0, details: { notified: true } });
      await enqueue(db, { idempotencyKey: 'k1', channel: 'slack', kind: 'alert.firing', payload: { slo: 'recs/ranker' }, at: T0 });
      await insertIncident(db, {
        key: 'slo:recs/ranker',
        title: 'burn',
        severity: 'page',
        source: 'auto',
        sloIds: ['recs/ranker'],
        alertId: null,
        openedAt: T0,
        openedBy: null,
        startedAt: T0,
        detectedAt: T0,
        acknowledgedAt: null,
        usergroup: null,
        budgetAtStart: null,
      });
      await recordAudit(db, { at: T0, actor: 'U1', action: 'action.rollback', target: 'recs/ranker', result: 'ok', details: { revision: 3 } });
    } finally {
      await db.end();
      await lite.close();
    }
  }, 120_000);
  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('is never silently ignored: the store refuses to start and says what to run', async () => {
    await expect(openStore({ dataDir: dir })).rejects.toMatchObject({
      code: 'legacy_state',
      message: expect.stringContaining('npx burnwatch store import-pglite --data-dir '),
    });
    await expect(fs.access(path.join(dir, 'burnwatch.db'))).rejects.toThrow();
  });

  it('is imported once: alert state, outbox, incidents and audit arrive in SQLite', async () => {
    const result = await importPglite(dir, T0);
    expect(result.tables).toMatchObject({ alert_state: 1, outbox: 1, incidents: 1, audit_log: 1 });
    await expect(fs.access(path.join(dir, 'pgdata'))).rejects.toThrow();
    const store = await openStore({ dataDir: dir });
    try {
      expect(store.kind).toBe('sqlite');
      expect(await loadAlertStates(store.db)).toEqual([
        { sloId: 'recs/ranker', tier: 'page:1h/5m', state: 'firing', since: T0, updatedAt: T0, details: { notified: true } },
      ]);
      expect(await getByKey(store.db, 'k1')).toMatchObject({ id: 1, channel: 'slack', payload: { slo: 'recs/ranker' }, createdAt: T0, deliveredAt: null });
      expect(await listIncidents(store.db, { openOnly: true })).toMatchObject([{ key: 'slo:recs/ranker', openedAt: T0 }]);
      expect(await listAudit(store.db)).toMatchObject([{ actor: 'U1', details: { revision: 3 } }]);
      // Ids go on from the imported ones, never reused.
      await enqueue(store.db, { idempotencyKey: 'k2', channel: 'slack', kind: 'alert.firing', payload: {}, at: T0 });
      expect((await getByKey(store.db, 'k2'))?.id).toBe(2);
    } finally {
      await store.close();
    }
    await expect(importPglite(dir)).rejects.toThrow(/nothing to import/);
  }, 120_000);
});
