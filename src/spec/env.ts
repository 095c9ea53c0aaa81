// `${VAR}` and `${VAR:-default}` in any string value, from the environment given to the loader.
// `$${` writes a literal `${`. PromQL's `$window` (also written `${window}`) is not an environment variable.
// Only where an address or a secret belongs (a DataSource's url, headers, project, location,
// endpoint): elsewhere a value from the environment would end up in names, queries and
// messages (`window: ${SLACK_SIGNING_SECRET}` used to be echoed by /readyz). Header values
// and URL passwords that came from the environment are registered for redaction.
import { registerSecret } from '../secrets/redact.ts';
import type { Path } from './problem.ts';

/** Where `${VAR}` is expanded: spec.<type>.url | headers.* | projectId | location | apiEndpoint of a DataSource. */
export function expandsEnvironment(doc: unknown, path: Path): boolean {
  const kind = (doc as { kind?: unknown } | null)?.kind;
  if (kind !== 'DataSource' || path[0] !== 'spec' || path.length < 3) return false;
  const field = path[2];
  if (field === 'headers') return path.length === 4;
  // An Airflow source's credentials (src/sources/airflow): secrets, like a URL's password.
  if (path[1] === 'airflow' && path.length === 3 && (field === 'token' || field === 'username' || field === 'password')) return true;
  return path.length === 3 && (field === 'url' || field === 'projectId' || field === 'location' || field === 'apiEndpoint');
}

const NAMED = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-[^}]*)?\}/g;

/** Whether a string refers to an environment variable (not `${window}`, not `$${`). */
export function refersToEnvironment(text: string): boolean {
  for (const m of text.replace(/\$\$\{/g, '').matchAll(NAMED)) if (m[1] !== 'window') return true;
  return false;
}

function registerExpanded(path: Path, before: string, after: string): void {
  if (before === after) return;
  if (path.includes('headers') || path.at(-1) === 'token' || path.at(-1) === 'password') registerSecret(after);
  else if (URL.canParse(after)) {
    const url = new URL(after);
    if (url.password) registerSecret(decodeURIComponent(url.password));
  }
}

const REFERENCE = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|\$\{([^}]*)\}?/g;

export interface EnvIssue {
  path: Path;
  message: string;
  /** The variable, when the issue is an unset one without a default (the loader may call its DataSource "not configured"). */
  unset?: string;
}

/**
 * `unset`, when given, collects the names of unset variables without a default instead of
 * reporting them in `issues`.
 */
export function expandString(text: string, env: Record<string, string | undefined>, issues: string[], unset?: string[]): string {
  return text.replace(REFERENCE, (match, name: string | undefined, fallback: string | undefined) => {
    if (match === '$${') return '${';
    // `${window}` is PromQL's `$window` written with braces, not an environment variable.
    if (name === 'window' && fallback === undefined) return '$window';
    if (name === undefined) {
      issues.push(`malformed variable reference ${JSON.stringify(match)}: write \${NAME} or \${NAME:-default} ($\${ for a literal)`);
      return match;
    }
    const value = env[name];
    // Shell semantics: `:-` also replaces an empty value.
    if (value !== undefined && (value !== '' || fallback === undefined)) return value;
    if (fallback !== undefined) return fallback;
    if (unset) unset.push(name);
    else issues.push(unsetMessage(name));
    return '';
  });
}

export function unsetMessage(name: string): string {
  return `environment variable ${name} is not set (set it, or give a default: \${${name}:-value})`;
}

/**
 * A copy of a parsed YAML value with the strings expanded where `allowed` says (default:
 * everywhere); a reference anywhere else is an issue. Issues carry the path of the string.
 */
export function expandEnv(
  value: unknown,
  env: Record<string, string | undefined>,
  issues: EnvIssue[],
  path: Path = [],
  allowed: (path: Path) => boolean = () => true,
): unknown {
  if (typeof value === 'string') {
    if (!allowed(path)) {
      if (refersToEnvironment(value))
        issues.push({
          path,
          message: `environment variables are expanded only in a DataSource's url, headers, projectId, location, apiEndpoint and Airflow credentials (where an address or a secret belongs), not here; write $\${ for a literal \${`,
        });
      return value.replace(/\$\$\{/g, '${').replace(/\$\{window\}/g, '$window');
    }
    const messages: string[] = [];
    const unset: string[] = [];
    const out = expandString(value, env, messages, unset);
    for (const message of messages) issues.push({ path, message });
    for (const name of unset) issues.push({ path, message: unsetMessage(name), unset: name });
    registerExpanded(path, value, out);
    return out;
  }
  if (Array.isArray(value)) return value.map((item, i) => expandEnv(item, env, issues, [...path, i], allowed));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = expandEnv(item, env, issues, [...path, key], allowed);
    return out;
  }
  return value;
}
