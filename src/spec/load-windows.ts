// `--windows`: Sloth AlertWindows files (one tier table per SLO period), read for generate and
// backtest. Problems are located like every other spec problem.
import { LineCounter, parseAllDocuments } from 'yaml';
import { type AlertWindowsTable, isAlertWindows, readAlertWindows } from './import/alert-windows.ts';
import type { ImportNote } from './import/imported.ts';
import { readSpecFiles } from './load.ts';
import { yamlLocator } from './positions.ts';
import { formatPath, type Problem } from './problem.ts';

export async function loadAlertWindows(paths: readonly string[], cwd: string): Promise<{ tables: AlertWindowsTable[]; problems: Problem[] }> {
  const { texts, problems } = await readSpecFiles(paths, cwd);
  const tables: AlertWindowsTable[] = [];
  for (const { file, text } of texts) {
    const lines = new LineCounter();
    for (const doc of parseAllDocuments(text, { lineCounter: lines, prettyErrors: false })) {
      const locate = yamlLocator(doc, lines);
      const at = (p: readonly (string | number)[], key = false) => locate(p, { key });
      if (doc.errors.length > 0) {
        const { line, col } = lines.linePos(doc.errors[0]!.pos[0]);
        problems.push({ severity: 'error', code: 'yaml', file, line, column: col, path: '', message: `YAML: ${doc.errors[0]!.message.split('\n')[0]}` });
        continue;
      }
      const value = doc.toJS() as Record<string, unknown> | null;
      if (value === null || typeof value !== 'object' || !isAlertWindows(value)) {
        const { line, column } = at([]);
        problems.push({ severity: 'error', code: 'format', file, line, column, path: '', message: 'expected a Sloth AlertWindows document (apiVersion: sloth.slok.dev/v1, kind: AlertWindows)' });
        continue;
      }
      const notes: ImportNote[] = [];
      const table = readAlertWindows(value, file, notes);
      for (const n of notes) {
        const { line, column } = at(n.path, n.key ?? false);
        problems.push({ severity: n.severity, code: n.code, file, line, column, path: formatPath(n.path), message: n.message });
      }
      if (!table) continue;
      const same = tables.find((t) => t.periodSeconds === table.periodSeconds);
      if (same) {
        const { line, column } = at(['spec', 'sloPeriod']);
        problems.push({ severity: 'error', code: 'duplicate', file, line, column, path: 'spec.sloPeriod', message: `alert windows for ${table.period} are already given in ${same.file}` });
        continue;
      }
      tables.push(table);
    }
  }
  return { tables, problems };
}

/** The table for an SLO period, if one was given. */
export function windowsFor(tables: readonly AlertWindowsTable[] | undefined, periodSeconds: number): AlertWindowsTable | undefined {
  return tables?.find((t) => t.periodSeconds === periodSeconds);
}
