// The SLOs the service evaluates, reloaded when slos/ changes, or on SIGHUP, without
// a restart. What changed is decided by comparing content hashes of the files
// (spec-files.ts), never by trusting a watcher's events: chokidar's events only make
// the comparison run sooner (debounced), and a rescan every second catches whatever
// events were lost (Node's recursive fs.watch on Linux stops seeing a file once it
// has been renamed over; a ConfigMap swap only renames ..data). An invalid file is
// reported and skipped by the loader; if the whole load fails, the previous catalog
// keeps running.
import fs from 'node:fs';
import path from 'node:path';
import { type FSWatcher, watch } from 'chokidar';
import type { Logger } from 'pino';
import type { BudgetPolicy } from '../domain/budget-policy.ts';
import type { DataSourceSpec, Slo } from '../domain/slo.ts';
import { diffSpecFiles, hasChanges, type SpecFileChanges, type SpecFiles, snapshotSpecFiles } from './spec-files.ts';

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
  #watcher: FSWatcher | undefined;
  #debounce: NodeJS.Timeout | undefined;
  #rescan: NodeJS.Timeout | undefined;
  #loading: Promise<LoadedSpecs> | undefined;
  #checking: Promise<void> | undefined;
  readonly #afterReload: Array<(specs: LoadedSpecs) => void> = [];
  /** The files as the last load read them. */
  #files: SpecFiles = new Map();

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
      // The snapshot is taken before the load reads the files: a change made while it
      // reads shows up as a difference at the next look and is loaded then.
      const files = await snapshotSpecFiles(this.dir, this.#files);
      const changes = diffSpecFiles(this.#files, files);
      this.#files = files;
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
          {
            reason,
            ...this.#describe(changes),
            slos: loaded.slos.map((s) => s.id),
            sources: loaded.sources.map((s) => `${s.name} (${s.type})`),
            skipped: loaded.problems.filter((p) => p.severity !== 'warning').length,
          },
          `loaded ${loaded.slos.length} SLOs from ${this.dir}`,
        );
        this.#onChange(loaded);
        if (hasChanges(changes)) for (const fn of this.#afterReload) fn(loaded);
      } catch (error) {
        this.#logger.error(
          { reason, ...this.#describe(changes), err: (error as Error).message },
          `reloading ${this.dir} failed; keeping the previous ${this.#current.slos.length} SLOs`,
        );
      }
      return this.#current;
    })();
    this.#loading = run;
    return run;
  }

  /** Runs after every load that found a file added, changed or removed (not at the first load). */
  afterReload(fn: (specs: LoadedSpecs) => void): void {
    this.#afterReload.push(fn);
  }

  #describe(c: SpecFileChanges): Record<string, string[]> {
    // At most 20 names per kind (a first load of 10 000 files must not make a 1 MB line).
    const rel = (files: string[]) => [
      ...files.slice(0, 20).map((f) => path.relative(this.dir, f)),
      ...(files.length > 20 ? [`… and ${files.length - 20} more`] : []),
    ];
    return {
      ...(c.added.length ? { added: rel(c.added) } : {}),
      ...(c.changed.length ? { changed: rel(c.changed) } : {}),
      ...(c.removed.length ? { removed: rel(c.removed) } : {}),
    };
  }

  /** Compares the files with what the last load read; reloads when any content differs. */
  async check(): Promise<boolean> {
    if (this.#checking) {
      await this.#checking;
      return false;
    }
    let changed = false;
    this.#checking = (async () => {
      await this.#loading?.catch(() => {});
      const files = await snapshotSpecFiles(this.dir, this.#files);
      changed = hasChanges(diffSpecFiles(this.#files, files));
      if (changed) await this.reload('files changed');
    })().finally(() => {
      this.#checking = undefined;
    });
    await this.#checking;
    return changed;
  }

  /**
   * Watches the directory (chokidar: follows renames, symlinks and new folders) and also
   * rescans every `rescanMs`, so a change is loaded within debounce + rescan at the latest.
   */
  watch(options: { debounceMs?: number; rescanMs?: number } = {}): void {
    const debounceMs = options.debounceMs ?? 200;
    const rescanMs = options.rescanMs ?? 1000;
    const soon = () => {
      clearTimeout(this.#debounce);
      this.#debounce = setTimeout(() => void this.check().catch(() => {}), debounceMs);
    };
    const parent = path.dirname(path.resolve(this.dir));
    // Watch the directory itself (or, while it does not exist, nothing: the rescan finds it).
    if (fs.existsSync(this.dir)) {
      this.#watcher = watch(this.dir, { ignoreInitial: true, followSymlinks: true, awaitWriteFinish: false, depth: 20 });
      this.#watcher.on('all', soon);
      this.#watcher.on('error', (error) => this.#logger.warn({ err: (error as Error).message, parent }, 'watching the SLO directory failed; the rescan still runs'));
    }
    const rescan = () => {
      this.#rescan = setTimeout(() => {
        void this.check()
          .catch((error: Error) => this.#logger.warn({ err: error.message }, 'rescanning the SLO directory failed'))
          .finally(() => {
            if (this.#rescan) rescan();
          });
      }, rescanMs);
    };
    rescan();
  }

  close(): void {
    clearTimeout(this.#debounce);
    clearTimeout(this.#rescan);
    this.#rescan = undefined;
    void this.#watcher?.close();
  }
}
