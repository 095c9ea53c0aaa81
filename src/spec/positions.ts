// Map a field path back to where it was written, using the `yaml` library's node ranges.
import { isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import type { Path } from './problem.ts';

export interface Position {
  line: number;
  column: number;
  /** Set when the field was written in another file (an OpenSLO SLI or AlertPolicy an SLO refers to). */
  file?: string;
}

/** Where a path of one parsed document was written; falls back to the nearest written ancestor. */
export type Locator = (path: Path, options?: { key?: boolean }) => Position;

export function yamlLocator(doc: Document.Parsed, lines: LineCounter): Locator {
  const at = (offset: number): Position => {
    const { line, col } = lines.linePos(offset);
    return { line, column: col };
  };
  return (path, options = {}) => {
    let node: unknown = doc.contents;
    // The key of the deepest field found: where a missing child or a whole block mapping is reported.
    let keyNode: Node | undefined;
    let complete = true;
    for (const segment of path) {
      let next: unknown;
      let key: Node | undefined;
      if (isMap(node)) {
        const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment));
        if (pair) {
          key = pair.key as Node;
          // `key:` with no value has no value node: point at the key.
          next = pair.value ?? pair.key;
        }
      } else if (isSeq(node) && typeof segment === 'number') {
        next = node.items[segment];
      }
      if (next === undefined) {
        complete = false;
        break;
      }
      node = next;
      keyNode = key;
    }
    const useKey = keyNode !== undefined && (options.key || !complete || isMap(node) || isSeq(node));
    const target = (useKey ? keyNode : node) as Node | null | undefined;
    const range = target?.range;
    return range ? at(range[0]) : { line: 1, column: 1 };
  };
}
