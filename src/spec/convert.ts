// `burnwatch convert`: Sloth / OpenSLO documents printed as burnwatch/v1 YAML. The importers do
// the work (the same ones the loader uses), so what convert prints is what the loader loads.
import { stringify } from 'yaml';
import { readCandidates, type SpecText } from './load.ts';
import { formatProblem, type Problem } from './problem.ts';

export interface ConvertResult {
  yaml: string;
  problems: Problem[];
}

export function convertSpecText(input: SpecText): ConvertResult {
  return convertSpecTexts([input]);
}

/** Several files at once: OpenSLO SLOs refer to SLIs, DataSources and AlertPolicies in other files. */
export function convertSpecTexts(inputs: readonly SpecText[]): ConvertResult {
  // ${VAR} stays as written: the converted file should read the environment when it is loaded.
  const { candidates, problems } = readCandidates(inputs, { expandEnv: false });
  const docs = candidates.map((c) => {
    const header = [`# converted by burnwatch from ${c.format === 'burnwatch' ? 'burnwatch/v1' : c.format} (${c.file}:${c.line})`];
    for (const note of c.notes ?? []) if (note.severity === 'warning') header.push(`# not converted as is: ${formatProblem(note)}`);
    return `${header.join('\n')}\n${stringify(c.value, { lineWidth: 0, aliasDuplicateObjects: false })}`;
  });
  return { yaml: docs.join('---\n'), problems };
}

/** What `convert --check` fails on: anything dropped, approximated or refused. */
export function isLossy(problem: Problem): boolean {
  return problem.severity === 'error' || problem.code === 'import';
}
