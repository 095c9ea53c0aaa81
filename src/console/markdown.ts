// Markdown (post-mortems, playbooks) to HTML that is safe to put in a page: `marked`
// renders, `sanitize-html` keeps a short list of tags and only http(s)/mailto/relative
// links. Raw HTML inside the Markdown is dropped by the sanitiser, never trusted.
import { Marked } from 'marked';
import sanitizeHtml from 'sanitize-html';

const marked = new Marked({ gfm: true, async: false });

const ALLOWED = {
  allowedTags: [
    'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'p', 'br', 'hr', 'blockquote', 'pre', 'code', 'em', 'strong', 'del',
    'ul', 'ol', 'li', 'a', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'input',
  ],
  allowedAttributes: {
    a: ['href', 'title'],
    th: ['align'],
    td: ['align'],
    input: ['type', 'checked', 'disabled', 'aria-label'],
  },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowProtocolRelative: false,
  transformTags: {
    // GFM task lists: read-only check boxes, nothing else.
    input: (_tag: string, attribs: Record<string, string>) =>
      attribs.type === 'checkbox'
        ? {
            tagName: 'input',
            attribs: { type: 'checkbox', disabled: '', 'aria-label': attribs.checked !== undefined ? 'done' : 'to do', ...(attribs.checked !== undefined ? { checked: '' } : {}) },
          }
        : { tagName: 'span', attribs: {} },
    a: (_tag: string, attribs: Record<string, string>) => ({ tagName: 'a', attribs: { ...attribs, rel: 'noopener noreferrer' } }),
  },
};
ALLOWED.allowedAttributes.a.push('rel');

export function renderMarkdown(markdown: string): string {
  return sanitizeHtml(marked.parse(markdown) as string, ALLOWED);
}
