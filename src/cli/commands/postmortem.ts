// `burnwatch postmortem <incident>`: the post-mortem draft of an incident as Markdown,
// as stored when it was resolved (or rendered now from the store with --render).
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { systemClock } from '../../domain/clock.ts';
import type { Slo } from '../../domain/slo.ts';
import { getIncident, getPostmortem, savePostmortem } from '../../incidents/incident-store.ts';
import { DEFAULT_POSTMORTEM_TEMPLATE, loadPostmortemTemplate } from '../../incidents/postmortem.ts';
import { ConfigError, loadConfig } from '../../service/config.ts';
import { buildPostmortem } from '../../incidents/build-postmortem.ts';
import { loadSpecs } from '../../spec/load.ts';
import { openStore } from '../../store/open-store.ts';
import { StoreError } from '../../store/store-error.ts';

interface Options {
  out?: string;
  render?: boolean;
  template?: string;
  slos?: string;
  dataDir?: string;
}

/** "12", "#12" and "INC-12" all name incident 12. */
export function parseIncidentRef(text: string): number | undefined {
  const m = /^(?:#|inc-)?(\d+)$/i.exec(text.trim());
  return m ? Number(m[1]) : undefined;
}

export function register(program: Command): void {
  program
    .command('postmortem')
    .description('export the post-mortem draft of an incident as Markdown')
    .argument('<incident>', 'incident number (12, #12 or INC-12)')
    .option('-o, --out <file>', 'write to a file instead of stdout')
    .option('--render', 're-render from the store now (and keep it) instead of printing the stored draft')
    .option('--template <file>', `Handlebars template (default: ${path.relative(process.cwd(), DEFAULT_POSTMORTEM_TEMPLATE)})`)
    .option('--slos <dir>', 'SLO directory, for names and objectives (BURNWATCH_SLOS_DIR)')
    .option('--data-dir <dir>', 'embedded database directory when DATABASE_URL is unset (BURNWATCH_DATA_DIR)')
    .action(async (ref: string, o: Options) => {
      const id = parseIncidentRef(ref);
      if (id === undefined) {
        process.stderr.write(`burnwatch: "${ref}" is not an incident number (expected e.g. 12 or INC-12)\n`);
        process.exitCode = 2;
        return;
      }
      let config: ReturnType<typeof loadConfig>;
      try {
        config = loadConfig(process.env, { ...(o.dataDir ? { dataDir: o.dataDir } : {}), ...(o.slos ? { slos: o.slos } : {}) });
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        process.stderr.write(`burnwatch: ${error.message}\n`);
        process.exitCode = 2;
        return;
      }
      let store: Awaited<ReturnType<typeof openStore>>;
      try {
        store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
      } catch (error) {
        if (!(error instanceof StoreError)) throw error;
        process.stderr.write(`burnwatch: ${error.message}\n`);
        process.exitCode = 3;
        return;
      }
      try {
        if (!(await getIncident(store.db, id))) {
          process.stderr.write(`burnwatch: there is no incident #${id} in ${store.location}\n`);
          process.exitCode = 1;
          return;
        }
        let markdown = o.render ? undefined : (await getPostmortem(store.db, id))?.markdown;
        if (markdown === undefined) {
          const slos: Slo[] = await loadSpecs([config.slosDir]).then((r) => r.slos).catch(() => []);
          markdown = await buildPostmortem(
            { db: store.db, clock: systemClock, slo: (s) => slos.find((x) => x.id === s), postmortemTemplate: () => loadPostmortemTemplate(o.template) },
            id,
          );
          await savePostmortem(store.db, id, markdown, systemClock.now());
        }
        if (o.out) {
          await fs.writeFile(o.out, markdown);
          process.stderr.write(`wrote the post-mortem of incident #${id} to ${o.out}\n`);
        } else {
          process.stdout.write(markdown.endsWith('\n') ? markdown : `${markdown}\n`);
        }
      } finally {
        await store.close();
      }
    });
}
