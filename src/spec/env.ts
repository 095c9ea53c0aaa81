// `${VAR}` and `${VAR:-default}` in any string value, from the environment given to the loader.
// `$${` writes a literal `${`. PromQL's `$window` (also written `${window}`) is not an environment variable.
import type { Path } from './problem.ts';

const REFERENCE = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|\$\{([^}]*)\}?/g;

export interface EnvIssue {
  path: Path;
  message: string;
}

export function expandString(text: string, env: Record<string, string | undefined>, issues: string[]): string {
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
    issues.push(`environment variable ${name} is not set (set it, or give a default: \${${name}:-value})`);
    return '';
  });
}

/** A copy of a parsed YAML value with every string expanded; issues carry the path of the string. */
export function expandEnv(value: unknown, env: Record<string, string | undefined>, issues: EnvIssue[], path: Path = []): unknown {
  if (typeof value === 'string') {
    const messages: string[] = [];
    const out = expandString(value, env, messages);
    for (const message of messages) issues.push({ path, message });
    return out;
  }
  if (Array.isArray(value)) return value.map((item, i) => expandEnv(item, env, issues, [...path, i]));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = expandEnv(item, env, issues, [...path, key]);
    return out;
  }
  return value;
}
