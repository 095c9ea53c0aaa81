// Values that came from the environment and must never be shown: the secrets burnwatch is
// configured with, and every value a spec file interpolated with `${VAR}`. One process-wide
// set, because the places that must not show them (log lines, HTTP answers, Slack text)
// are far from where the values are read. Pure string work, no I/O.

/** Environment variable names whose values are secrets. */
const SECRET_NAME = /(SECRET|TOKEN|PASSWORD|PASSWD|PASSPHRASE|CREDENTIAL|PRIVATE|API_?KEY|ACCESS_?KEY|AUTH|HEADERS|COOKIE|_KEY$|^PGPASSWORD$)/i;
/** Shorter values would redact ordinary words. */
const MIN_LENGTH = 6;
export const REDACTED = '***';

const secrets = new Set<string>();
let ordered: string[] = [];

function forms(value: string): string[] {
  const out = new Set([value, encodeURIComponent(value), JSON.stringify(value).slice(1, -1)]);
  out.add(new URLSearchParams({ v: value }).toString().slice(2));
  return [...out];
}

/** Remember a value that must not be shown (with its URL-encoded and JSON-escaped forms). */
export function registerSecret(value: string | undefined): void {
  if (!value || value.length < MIN_LENGTH) return;
  let added = false;
  for (const form of forms(value)) {
    if (form.length >= MIN_LENGTH && !secrets.has(form)) {
      secrets.add(form);
      added = true;
    }
  }
  // Longest first, so a secret that contains another is replaced whole.
  if (added) ordered = [...secrets].sort((a, b) => b.length - a.length);
}

/** The secret values of an environment: secret-named variables, and passwords inside URLs. */
export function environmentSecrets(env: Record<string, string | undefined>): string[] {
  const out: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (!value) continue;
    if (SECRET_NAME.test(name)) out.push(value);
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value) && URL.canParse(value)) {
      const url = new URL(value);
      if (url.password) out.push(decodeURIComponent(url.password));
      for (const [key, v] of url.searchParams) if (SECRET_NAME.test(key) && v) out.push(v);
    }
  }
  return out;
}

export function registerEnvironmentSecrets(env: Record<string, string | undefined>): void {
  for (const value of environmentSecrets(env)) registerSecret(value);
}

/** `text` with every registered secret replaced by ***. */
export function redact(text: string): string {
  if (ordered.length === 0) return text;
  let out = text;
  for (const secret of ordered) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  return out;
}

/** For tests: forget every registered secret. */
export function clearSecrets(): void {
  secrets.clear();
  ordered = [];
}

/** A fetch that redacts the URL and string bodies it sends (Slack's Web API and response_url calls). */
export function redactingFetch(inner: typeof fetch = globalThis.fetch): typeof fetch {
  return (input, init) => {
    if (ordered.length === 0) return inner(input, init);
    const url = typeof input === 'string' ? redact(input) : input instanceof URL ? new URL(redact(input.toString())) : input;
    let body = init?.body;
    if (typeof body === 'string') body = redact(body);
    else if (body instanceof URLSearchParams) body = new URLSearchParams(redact(body.toString()));
    return inner(url, init ? { ...init, body } : init);
  };
}
