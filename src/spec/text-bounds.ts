// Bounds on a spec file before YAML parses it: a 50 MB value took 10 s and 1.9 GB, and deep
// flow nesting (`[[[[…`) overflowed the parser's stack or memory. SLO files are small; these
// limits are far above any real one and say plainly what to change.
export const MAX_SPEC_BYTES = 1 << 20;
export const MAX_NESTING = 64;

export interface TextProblem {
  line: number;
  column: number;
  message: string;
}

export function specSizeProblem(bytes: number): string | undefined {
  if (bytes <= MAX_SPEC_BYTES) return undefined;
  return `the file is ${(bytes / MAX_SPEC_BYTES).toFixed(1)} MiB; a spec file may be at most 1 MiB (split it into several files)`;
}

/**
 * The first place where collections nest deeper than MAX_NESTING: flow brackets outside
 * quotes and comments, plus block levels by indentation (two spaces or more a level).
 */
export function nestingProblem(text: string): TextProblem | undefined {
  let depth = 0;
  let line = 1;
  let lineStart = 0;
  let quote: '"' | "'" | undefined;
  let comment = false;
  let atLineStart = true;
  const indents: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\n') {
      line += 1;
      lineStart = i + 1;
      comment = false;
      atLineStart = true;
      continue;
    }
    if (atLineStart && c !== ' ' && c !== '-') {
      atLineStart = false;
      const indent = i - lineStart;
      while (indents.length > 0 && indents[indents.length - 1]! >= indent) indents.pop();
      indents.push(indent);
      if (indents.length > MAX_NESTING) return { line, column: indent + 1, message: `mappings nest more than ${MAX_NESTING} levels deep here; a spec never needs that` };
    }
    if (comment) continue;
    if (quote) {
      if (c === '\\' && quote === '"') i += 1;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '#' && (i === 0 || /\s/.test(text[i - 1]!))) comment = true;
    else if (c === '"' || (c === "'" && (i === 0 || /[\s[{,:]/.test(text[i - 1]!)))) quote = c;
    else if (c === '[' || c === '{') {
      depth += 1;
      if (depth > MAX_NESTING) return { line, column: i - lineStart + 1, message: `lists and mappings nest more than ${MAX_NESTING} levels deep here; a spec never needs that` };
    } else if ((c === ']' || c === '}') && depth > 0) depth -= 1;
  }
  return undefined;
}
