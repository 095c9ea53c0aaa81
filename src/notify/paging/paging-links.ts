// Links a page carries to where a responder looks next: the SLO in burnwatch's console
// (BURNWATCH_PUBLIC_URL) and the runbook (a URL, or a path under BURNWATCH_RUNBOOK_BASE_URL).
export interface PagingLinks {
  console(sloId: string): string | undefined;
  runbook(runbook: string | undefined): string | undefined;
}

export function pagingLinks(opts: { publicUrl?: string | undefined; runbookBaseUrl?: string | undefined }): PagingLinks {
  const base = opts.publicUrl?.replace(/\/$/, '');
  return {
    console: (sloId) => (base ? `${base}/slos/${sloId.split('/').map(encodeURIComponent).join('/')}` : undefined),
    runbook: (runbook) => {
      if (!runbook) return undefined;
      if (/^https?:\/\//.test(runbook)) return runbook;
      if (opts.runbookBaseUrl) return new URL(runbook.replace(/^\.?\//, ''), opts.runbookBaseUrl.endsWith('/') ? opts.runbookBaseUrl : `${opts.runbookBaseUrl}/`).toString();
      return base ? `${base}/${runbook.replace(/^\.?\//, '')}` : undefined;
    },
  };
}
