// The SLOs the service evaluates, reloaded when slos/ changes (fs.watch, debounced)
// or on SIGHUP, without a restart. An invalid file is reported and skipped by the
// loader; if the whole load fails, the previous catalog keeps running.
import fs from 'node:fs';
import type { Logger } from 'pino';
import type { BudgetPolicy } from '../domain/budget-policy.ts';
import type { DataSourceSpec, Slo } from '../domain/slo.ts';

export interface SpecProblem {
  severity?: 'error' | 'warning';
  file: string;
  line?: number;
  column?: number;
  message: string;
}

export interface LoadedSpecs {
  slos: Slo[];
  sources: DataSourceSpec[];
  problems: SpecProblem[];
  policies?: BudgetPolicy[];
}

export type SpecLoader = (dir: string) => Promise<LoadedSpecs>;

export function formatProblem(p: SpecProblem): string {
  return `${p.file}${p.line ? `:${p.line}${p.column ? `:${p.column}` : ''}` : ''}: ${p.message}`;
}

export class SloCatalog {
  readonly dir: string;
  readonly #load: SpecLoader;
  readonly #logger: Logger;
  readonly #onChange: (specs: LoadedSpecs) => void;
  #current: LoadedSpecs = { slos: [], sources: [], problems: [] };
  #watcher: fs.FSWatcher | undefined;
  #debounce: NodeJS.Timeout | undefined;
  #loading: Promise<LoadedSpecs> | undefined;

  constructor(opts: { dir: string; load: SpecLoader; logger: Logger; onChange?: (specs: LoadedSpecs) => void }) {
    this.dir = opts.dir;
    this.#load = opts.load;
    this.#logger = opts.logger;
    this.#onChange = opts.onChange ?? (() => {});
  }

  get current(): LoadedSpecs {
    return this.#current;
  }

  async reload(reason: string): Promise<LoadedSpecs> {
    // Serialise reloads: a burst of file events must not race two loads.
    const previous = this.#loading;
    const run = (async () => {
      await previous?.catch(() => {});
      if (!fs.existsSync(this.dir)) {
        this.#logger.warn({ dir: this.dir }, `SLO directory ${this.dir} does not exist: evaluating nothing (set BURNWATCH_SLOS_DIR)`);
        this.#current = { slos: [], sources: [], problems: [{ file: this.dir, message: 'directory does not exist' }] };
        this.#onChange(this.#current);
        return this.#current;
      }
      try {
        const loaded = await this.#load(this.dir);
        for (const p of loaded.problems) {
          if (p.severity === 'warning') this.#logger.warn({ file: p.file, line: p.line }, `spec warning: ${formatProblem(p)}`);
          else this.#logger.error({ file: p.file, line: p.line }, `invalid spec skipped: ${formatProblem(p)}`);
        }
        this.#current = loaded;
        this.#logger.info(
          { reason, slos: loaded.slos.map((s) => s.id), sources: loaded.sources.map((s) => `${s.name} (${s.type})`), skipped: loaded.problems.filter((p) => p.severity !== 'warning').length },
          `loaded ${loaded.slos.length} SLOs from ${this.dir}`,
        );
        this.#onChange(loaded);
      } catch (error) {
        this.#logger.error({ err: (error as Error).message }, `reloading ${this.dir} failed; keeping the previous ${this.#current.slos.length} SLOs`);
      }
      return this.#current;
    })();
    this.#loading = run;
    return run;
  }

  watch(debounceMs = 300): void {
    if (!fs.existsSync(this.dir)) return;
    this.#watcher = fs.watch(this.dir, { recursive: true }, () => {
      clearTimeout(this.#debounce);
      this.#debounce = setTimeout(() => void this.reload('files changed'), debounceMs);
    });
    this.#watcher.on('error', (error) => this.#logger.warn({ err: error.message }, 'watching the SLO directory failed'));
  }

  close(): void {
    clearTimeout(this.#debounce);
    this.#watcher?.close();
  }
}
