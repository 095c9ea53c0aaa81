// "did you mean" for misspelled field names, kinds and references.
import { closest, distance } from 'fastest-levenshtein';

/** The closest candidate when it is near enough to be a likely typo, else undefined. */
export function suggest(word: string, candidates: readonly string[]): string | undefined {
  if (candidates.length === 0) return undefined;
  const best = closest(word, candidates as string[]);
  const allowed = word.length < 3 ? 1 : Math.max(2, Math.floor(Math.max(word.length, best.length) / 3));
  if (distance(word.toLowerCase(), best.toLowerCase()) <= allowed) return best;
  return undefined;
}

export function didYouMean(word: string, candidates: readonly string[]): string {
  const hint = suggest(word, candidates);
  return hint === undefined ? '' : ` (did you mean "${hint}"?)`;
}
