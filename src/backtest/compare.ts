// Two policies on the same history: which pages one would have sent that the other would not.
import type { Firing, SloBacktest } from './replay.ts';

export interface PolicyDiff {
  id: string;
  pagesA: number;
  pagesB: number;
  /** Pages policy A sends during which policy B sends none. */
  onlyA: Firing[];
  onlyB: Firing[];
}

function pages(result: SloBacktest): Firing[] {
  return result.firings.filter((f) => f.severity === 'page' && f.notifiedAt !== null);
}

export function overlaps(a: { start: string; end: string | null }, b: { start: string; end: string | null }, to: string): boolean {
  return a.start <= (b.end ?? to) && (a.end ?? to) >= b.start;
}

export function comparePolicies(a: readonly SloBacktest[], b: readonly SloBacktest[]): PolicyDiff[] {
  return a.map((ra) => {
    const rb = b.find((r) => r.id === ra.id);
    const pa = pages(ra);
    const pb = rb ? pages(rb) : [];
    return {
      id: ra.id,
      pagesA: pa.length,
      pagesB: pb.length,
      onlyA: pa.filter((p) => !pb.some((q) => overlaps(p, q, ra.to))),
      onlyB: pb.filter((q) => !pa.some((p) => overlaps(q, p, ra.to))),
    };
  });
}
