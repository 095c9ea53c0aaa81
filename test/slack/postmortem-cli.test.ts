// `burnwatch postmortem <incident>` as a real process against an embedded store.
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/domain/clock.ts';
import { IncidentDesk } from '../../src/incidents/incident-desk.ts';
import { getPostmortem } from '../../src/incidents/incident-store.ts';
import { openStore } from '../../src/store/open-store.ts';
import { makeTempDir } from '../helpers/test-databases.ts';

const run = promisify(execFile);
const bin = (args: string[]) =>
  run(process.execPath, ['bin/burnwatch.mjs', ...args], { env: { ...process.env, DATABASE_URL: '', BURNWATCH_SLOS_DIR: 'does-not-exist' } });

// opened at 03:00 with `/incident open` (no page: detection is the opening), resolved at 03:50
const NOTE_AFTER = 1200;
const RESOLVED_AFTER = 3000;

describe('burnwatch postmortem', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await makeTempDir();
    const store = await openStore({ dataDir: dir });
    const clock = fixedClock('2026-11-22T03:00:00Z');
    const desk = new IncidentDesk({
      db: store.db,
      clock,
      config: { autoOpenIncidentOnPage: false, runbookBaseUrl: undefined },
      slo: () => undefined,
      slos: () => [],
    });
    const alice = { id: 'UALICE01', name: 'alice' };
    await desk.openFromCommand(alice, 'embeddings stale in eu-west');
    clock.advance(NOTE_AFTER);
    await desk.addNote(1, alice, 'backfill job restarted');
    clock.advance(RESOLVED_AFTER - NOTE_AFTER);
    await desk.resolve(1, alice, 'stuck backfill; restarted with more memory');
    await store.close();
  });
  afterAll(() => fs.rm(dir, { recursive: true, force: true }));

  it('renders the Markdown from the store and keeps it', async () => {
    const { stdout } = await bin(['postmortem', 'INC-1', '--data-dir', dir]);
    expect(stdout).toContain('# Post-mortem: embeddings stale in eu-west');
    expect(stdout).toContain('stuck backfill; restarted with more memory');
    expect(stdout).toContain('- 2026-11-22 03:20:00 UTC · alice — alice: backfill job restarted');
    expect(stdout).toContain(`| Time to resolve | incident opened → resolved | ${RESOLVED_AFTER / 60}m |`);
    expect(stdout).toContain(`| Resolved | 2026-11-22T03:50:00.000Z (${RESOLVED_AFTER / 60}m after the incident opened) |`);
    const store = await openStore({ dataDir: dir });
    try {
      expect((await getPostmortem(store.db, 1))?.markdown.trimEnd()).toBe(stdout.trimEnd());
    } finally {
      await store.close();
    }
  });

  it('says clearly when the incident does not exist or the reference is not one', async () => {
    await expect(bin(['postmortem', '42', '--data-dir', dir])).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('there is no incident #42') });
    await expect(bin(['postmortem', 'yesterday', '--data-dir', dir])).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('"yesterday" is not an incident number') });
  });
});
