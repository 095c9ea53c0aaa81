// The overview refreshes itself: every few seconds it fetches the same URL (same
// filters) and swaps the results in place, keeping focus and scroll where they were.
// Filters submit when a select changes; "/" jumps to the search box.
(() => {
  
  const results = () => document.getElementById('results');
  const stamp = document.getElementById('refreshed');
  const every = Math.max(5, Number(stamp?.dataset.every) || 30) * 1000;

  function wire(root) {
    for (const select of root.querySelectorAll('.filters select')) {
      select.addEventListener('change', () => select.form.requestSubmit());
    }
  }

  async function refresh() {
    if (document.hidden) return;
    const active = document.activeElement;
    // Do not swap the form out from under someone typing in it.
    if (active?.closest('.filters')) return;
    try {
      const res = await fetch(location.href, { headers: { accept: 'text/html' }, credentials: 'same-origin', cache: 'no-store' });
      if (!res.ok || res.redirected) return;
      const doc = new DOMParser().parseFromString(await res.text(), 'text/html');
      const fresh = doc.getElementById('results');
      const current = results();
      if (!fresh || !current) return;
      const focusedHref = active && active.tagName === 'A' ? active.getAttribute('href') : null;
      current.replaceWith(fresh);
      wire(fresh);
      if (focusedHref) fresh.querySelector(`a[href="${CSS.escape(focusedHref)}"]`)?.focus();
      if (stamp) stamp.textContent = `refreshed ${new Date().toISOString().slice(11, 19)} UTC`;
      document.title = doc.title;
    } catch {
      if (stamp) stamp.textContent = 'refresh failed; retrying';
    }
  }

  wire(document);
  setInterval(refresh, every);
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden) void refresh();
  });
  document.addEventListener('keydown', (e) => {
    if (e.key === '/' && !(e.target instanceof HTMLInputElement || e.target instanceof HTMLTextAreaElement || e.target instanceof HTMLSelectElement)) {
      e.preventDefault();
      document.querySelector('.filters input[type="search"]')?.focus();
    }
  });
})();
