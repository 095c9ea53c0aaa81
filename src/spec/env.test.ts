// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these tests are about ${VAR} expansion
import { describe, expect, it } from 'vitest';
import { type EnvIssue, expandEnv, expandString } from './env.ts';

describe('env expansion', () => {
  const env = { HOST: 'db', EMPTY: '' };

  it('expands, defaults and escapes', () => {
    const issues: string[] = [];
    expect(expandString('postgres://${HOST}:${PORT:-5432}/x', env, issues)).toBe('postgres://db:5432/x');
    expect(expandString('${EMPTY}|${EMPTY:-d}|$${HOST}|$window|${window}', env, issues)).toBe('|d|${HOST}|$window|$window');
    expect(issues).toEqual([]);
  });

  it('reports unset and malformed references', () => {
    const issues: string[] = [];
    expandString('${MISSING} ${1BAD} ${UNCLOSED', env, issues);
    expect(issues).toEqual([
      'environment variable MISSING is not set (set it, or give a default: ${MISSING:-value})',
      'malformed variable reference "${1BAD}": write ${NAME} or ${NAME:-default} ($${ for a literal)',
      'malformed variable reference "${UNCLOSED": write ${NAME} or ${NAME:-default} ($${ for a literal)',
    ]);
  });

  it('walks mappings and lists and reports the path of each string', () => {
    const issues: EnvIssue[] = [];
    const out = expandEnv({ spec: { urls: ['${HOST}', '${NOPE}'], n: 3 } }, env, issues);
    expect(out).toEqual({ spec: { urls: ['db', ''], n: 3 } });
    expect(issues).toEqual([{ path: ['spec', 'urls', 1], message: expect.stringContaining('NOPE is not set'), unset: 'NOPE' }]);
  });
});
