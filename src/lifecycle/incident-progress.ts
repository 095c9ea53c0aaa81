// What one evaluation cycle does to the open incidents, decided without I/O: each affected
// SLO's budget at the incident's end moves to its latest evaluation, and an investigating
// incident becomes mitigated when the burn stopped — the shortest-window burn rate of every
// affected SLO evaluated in this cycle is below 1× (an unknown rate never counts as stopped).
// The caller (the evaluation cycle) writes the result in the cycle's transaction.

export interface OpenIncident {
  id: number;
  status: 'investigating' | 'mitigated';
  /** The first page: an evaluation before it says nothing about this incident. */
  detectedAt: Date;
  sloIds: readonly string[];
}

export interface SloReading {
  budgetRemaining: number | null;
  /** The burn rate of the SLO's shortest window (e.g. 5m); null when unknown. */
  shortestBurnRate: number | null;
  shortestWindow: string | null;
}

export interface IncidentProgress {
  incidentId: number;
  budgets: Array<{ sloId: string; budgetAtEnd: number }>;
  mitigated: { at: Date; reason: string } | null;
}

const rate = (x: number) => (x >= 10 ? x.toFixed(0) : x.toFixed(2).replace(/\.?0+$/, ''));

export function incidentProgress(incidents: readonly OpenIncident[], readings: ReadonlyMap<string, SloReading>, at: Date): IncidentProgress[] {
  const out: IncidentProgress[] = [];
  for (const incident of incidents) {
    const read = incident.sloIds.flatMap((id) => {
      const r = readings.get(id);
      return r ? [{ sloId: id, ...r }] : [];
    });
    const budgets = read.flatMap((r) => (r.budgetRemaining === null ? [] : [{ sloId: r.sloId, budgetAtEnd: r.budgetRemaining }]));
    let mitigated: IncidentProgress['mitigated'] = null;
    const stopped = read.length > 0 && read.every((r) => r.shortestBurnRate !== null && r.shortestBurnRate < 1);
    if (incident.status === 'investigating' && at >= incident.detectedAt && stopped) {
      const rates = read.map((r) => `${r.sloId} ${r.shortestWindow ?? ''} ${rate(r.shortestBurnRate!)}x`.replace(/\s+/g, ' '));
      mitigated = { at, reason: `the burn stopped: the shortest-window burn rate is below 1x (${rates.join(', ')})` };
    }
    if (budgets.length > 0 || mitigated) out.push({ incidentId: incident.id, budgets, mitigated });
  }
  return out;
}
