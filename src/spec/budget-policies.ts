// The loader's BudgetPolicy step: parse each document, check that every SLO and service it
// names exists (a typo would silently never freeze), and refuse duplicate names.
import type { BudgetPolicy } from '../domain/budget-policy.ts';
import type { Slo } from '../domain/slo.ts';
import { BudgetPolicyDoc, normalizeBudgetPolicy } from './budget-policy-schema.ts';
import type { Candidate } from './load.ts';
import type { Path } from './problem.ts';
import { didYouMean } from './suggest.ts';

export function loadBudgetPolicies(
  candidates: readonly Candidate[],
  slos: readonly Slo[],
  error: (c: Candidate, path: Path, message: string) => void,
  parse: (schema: typeof BudgetPolicyDoc, c: Candidate) => BudgetPolicyDoc | undefined,
): BudgetPolicy[] {
  const ids = slos.map((s) => s.id);
  const services = [...new Set(slos.map((s) => s.service))];
  const out: BudgetPolicy[] = [];
  const names = new Map<string, string>();
  for (const c of candidates) {
    const doc = parse(BudgetPolicyDoc, c);
    if (!doc) continue;
    const at = `${c.file}:${c.locate(['metadata', 'name']).line}`;
    const previous = names.get(doc.metadata.name);
    if (previous) {
      error(c, ['metadata', 'name'], `BudgetPolicy "${doc.metadata.name}" is already declared at ${previous}`);
      continue;
    }
    names.set(doc.metadata.name, at);
    let ok = true;
    (doc.spec.slos ?? []).forEach((id, i) => {
      if (ids.includes(id)) return;
      ok = false;
      error(c, ['spec', 'slos', i], `no SLO "${id}" is loaded${didYouMean(id, ids)}`);
    });
    (doc.spec.services ?? []).forEach((name, i) => {
      if (services.includes(name)) return;
      ok = false;
      error(c, ['spec', 'services', i], `no SLO of service "${name}" is loaded${didYouMean(name, services)}`);
    });
    if (ok) out.push(normalizeBudgetPolicy(doc, { file: c.file, line: c.line }));
  }
  return out;
}
