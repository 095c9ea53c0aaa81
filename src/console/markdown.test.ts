import { describe, expect, it } from 'vitest';
import { safeNext, sessionValue } from './access.ts';
import { renderMarkdown } from './markdown.ts';

describe('renderMarkdown', () => {
  it('renders GFM and drops scripts, event handlers and javascript: links', () => {
    const html = renderMarkdown(
      '# Title\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n[bad](javascript:alert(1)) [good](https://example.com)\n\n- [x] done\n',
    );
    expect(html).toContain('<h1>Title</h1>');
    expect(html).toContain('<table>');
    expect(html).not.toMatch(/<script|onerror|<img|javascript:/i);
    expect(html).toContain('<a href="https://example.com" rel="noopener noreferrer">good</a>');
    expect(html).toContain('<input type="checkbox" disabled aria-label="done" checked />');
  });
});

describe('console access helpers', () => {
  it('only sends a signed-in reader back to a local path', () => {
    expect(safeNext('/slos/a/b?range=1h')).toBe('/slos/a/b?range=1h');
    for (const bad of ['//evil.example/', 'https://evil.example/', '/\\evil.example', 'slos', undefined, ['/x']]) expect(safeNext(bad)).toBe('/');
  });

  it('makes a session value that names its expiry and changes with the token', () => {
    const now = new Date('2026-12-01T00:00:00Z');
    const a = sessionValue('token-one-0123456789', now);
    expect(a).toMatch(/^\d+\.[\w-]{43}$/);
    expect(Number(a.split('.')[0])).toBe(now.getTime() / 1000 + 12 * 3600);
    expect(sessionValue('token-two-0123456789', now)).not.toBe(a);
  });
});
