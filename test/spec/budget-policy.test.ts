// kind: BudgetPolicy through the loader: parsed, normalized, and every bad field located.
import { describe, expect, it } from 'vitest';
import { loadSpecTexts } from '../../src/spec/load.ts';

const SLO = `apiVersion: burnwatch/v1
kind: SLO
metadata: { name: availability, service: hstu-ranker }
spec:
  objective: 99.9
  indicator:
    ratio:
      bad: sum(rate(errors_total[$window]))
      total: sum(rate(requests_total[$window]))
`;
const load = (policy: string) => loadSpecTexts([{ file: 'slos/ranker.yaml', text: `${SLO}---\n${policy}` }], { env: {}, fileExists: () => true });

describe('kind: BudgetPolicy', () => {
  it('loads a policy with its defaults', () => {
    const r = load(`apiVersion: burnwatch/v1
kind: BudgetPolicy
metadata: { name: ranking-freeze }
spec:
  slos: [hstu-ranker/availability]
  freezeWhen: { budgetRemainingBelow: 10% }
  override: { approvers: [alice], maxDuration: 4h }
`);
    expect(r.problems).toEqual([]);
    expect(r.policies).toEqual([
      {
        name: 'ranking-freeze',
        slos: ['hstu-ranker/availability'],
        services: [],
        freezeBelow: 0.1,
        allowFixes: true,
        override: { approvers: ['alice'], maxSeconds: 14_400 },
        origin: { file: 'slos/ranker.yaml', line: 11 },
      },
    ]);
    const exhausted = load('apiVersion: burnwatch/v1\nkind: BudgetPolicy\nmetadata: { name: p }\nspec: { services: [hstu-ranker], allowFixes: false }\n');
    expect(exhausted.policies![0]).toMatchObject({ services: ['hstu-ranker'], freezeBelow: 0, allowFixes: false, override: { approvers: [], maxSeconds: 86_400 } });
  });

  it('names file:line and field of an unknown SLO, a bad threshold, an unknown field and an empty policy', () => {
    const r = load(`apiVersion: burnwatch/v1
kind: BudgetPolicy
metadata: { name: ranking-freeze }
spec:
  slos: [hstu-ranker/availabilty]
`);
    expect(r.policies).toEqual([]);
    expect(r.problems).toMatchObject([{ file: 'slos/ranker.yaml', line: 15, path: 'spec.slos[0]', message: 'no SLO "hstu-ranker/availabilty" is loaded (did you mean "hstu-ranker/availability"?)' }]);
    const bad = load(`apiVersion: burnwatch/v1
kind: BudgetPolicy
metadata: { name: p }
spec:
  services: [hstu-ranker]
  freezeWhen: { budgetRemainingBelow: ten }
  alowFixes: true
`);
    expect(bad.problems.map((p) => `${p.line} ${p.path}`)).toEqual(['16 spec.freezeWhen.budgetRemainingBelow', '17 spec.alowFixes']);
    const empty = load('apiVersion: burnwatch/v1\nkind: BudgetPolicy\nmetadata: { name: p }\nspec: {}\n');
    expect(empty.problems[0]!.message).toMatch(/needs slos: \[service\/name, …\] or services/);
  });

  it('suggests BudgetPolicy for a misspelled kind', () => {
    const r = load('apiVersion: burnwatch/v1\nkind: BudgetPolicies\nmetadata: { name: p }\n');
    expect(r.problems[0]!.message).toMatch(/did you mean "BudgetPolicy"/);
  });
});
