// The console's pages: Handlebars templates (src/console/views), compiled once. Handlebars
// escapes every {{value}}; the only raw insertions ({{{…}}}) are the layout's body, the
// sanitised Markdown and the chart JSON (escaped for a <script> element by `scriptJson`).
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';

const VIEWS = fileURLToPath(new URL('./views/', import.meta.url));
const read = (name: string) => fs.readFileSync(`${VIEWS}${name}.hbs`, 'utf8');

const hb = Handlebars.create();
hb.registerPartial('statusBadge', read('status-badge'));

const PAGES = ['overview', 'slo', 'incidents', 'incident', 'login', 'error', 'runbook'] as const;
export type PageName = (typeof PAGES)[number];

const compiled = new Map(PAGES.map((p) => [p, hb.compile(read(p), { strict: false })]));
const layout = hb.compile(read('layout'));

const VERSION = (JSON.parse(fs.readFileSync(fileURLToPath(new URL('../../package.json', import.meta.url)), 'utf8')) as { version: string }).version;

export interface LayoutOptions {
  title: string;
  nav?: 'slos' | 'incidents';
  user?: string | undefined;
  canSignOut?: boolean;
  charts?: boolean;
  scripts?: string[];
}

export function renderPage(page: PageName, data: Record<string, unknown>, opts: LayoutOptions): string {
  const body = compiled.get(page)!(data);
  return layout({
    ...opts,
    body,
    version: VERSION,
    navSlos: opts.nav === 'slos',
    navIncidents: opts.nav === 'incidents',
    scripts: opts.scripts ?? [],
  });
}

/** JSON that can sit inside <script type="application/json"> without ending it early. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}
