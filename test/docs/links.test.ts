// The front page and docs/ link only inside the repository, and every relative link resolves:
// to a file that exists and, with a #fragment into Markdown, to one of its headings (GitHub's
// anchors). The README stays a front page (at most 15 KB).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/burnwatch-process.ts';

const ROOT_DOCS = ['README.md', 'ARCHITECTURE.md', 'CONTRIBUTING.md', 'CHANGELOG.md'];
const pages = [
  ...ROOT_DOCS.filter((f) => fs.existsSync(path.join(REPO_ROOT, f))),
  ...fs
    .readdirSync(path.join(REPO_ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** Markdown without fenced code blocks and inline code, where a `](` is not a link. */
function prose(text: string): string {
  return text.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes, repeats get -1, -2. */
function anchorsOf(text: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const m of text.replace(/^```[\s\S]*?^```/gm, '').matchAll(/^#{1,6}\s+(.+?)\s*#*$/gm)) {
    const base = m[1]!
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

function linksOf(text: string): string[] {
  return [...prose(text).matchAll(/!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1]!);
}

describe('documentation links', () => {
  it('covers the README, the contributor docs and docs/', () => {
    expect(pages).toEqual(expect.arrayContaining(['README.md', 'ARCHITECTURE.md', 'CONTRIBUTING.md', 'docs/getting-started.md']));
  });

  it('the README is a front page: at most 15 KB', () => {
    expect(fs.statSync(path.join(REPO_ROOT, 'README.md')).size).toBeLessThanOrEqual(15 * 1024);
  });

  for (const page of pages) {
    it(`every relative link of ${page} resolves inside the repository`, () => {
      const text = fs.readFileSync(path.join(REPO_ROOT, page), 'utf8');
      const broken: string[] = [];
      for (const link of linksOf(text)) {
        if (/^(https?|mailto):/.test(link)) continue;
        const [target = '', fragment] = link.split('#');
        const file = target === '' ? path.join(REPO_ROOT, page) : path.resolve(path.dirname(path.join(REPO_ROOT, page)), decodeURIComponent(target));
        if (path.relative(REPO_ROOT, file).startsWith('..')) {
          broken.push(`${link}: outside the repository`);
          continue;
        }
        if (!fs.existsSync(file)) {
          broken.push(`${link}: no such file`);
          continue;
        }
        if (fragment !== undefined && file.endsWith('.md') && !anchorsOf(fs.readFileSync(file, 'utf8')).has(fragment)) broken.push(`${link}: no such heading`);
      }
      expect(broken).toEqual([]);
    });

    it(`${page} names no path outside the repository`, () => {
      expect(fs.readFileSync(path.join(REPO_ROOT, page), 'utf8')).not.toMatch(/\.\.\/shared\//);
    });
  }
});
