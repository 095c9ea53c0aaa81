// Pure: measurements and records in, the report's data out. Groups SLOs by team
// (the SLO owner) and service, and derives every figure the renderers show.
import type { Slo } from '../domain/slo.ts';
import { alertSummary } from './alert-summary.ts';
import { difference, rollingFigures, weekFigures } from './figures.ts';
import { incidentSummary } from './incident-summary.ts';
import { periodSeconds } from './iso-week.ts';
import { freezeEntries } from './freeze-summary.ts';
import { remediationSummary } from './remediation-summary.ts';
import type { AtRiskSlo, ReportData, ServiceReport, SloReport, TeamReport } from './report-data.ts';
import type { ReportInputs, SloMeasurements } from './report-inputs.ts';

export const UNOWNED = 'unowned';
const WEEK_SECONDS = 7 * 86_400;

const UNKNOWN: SloMeasurements = {
  origin: 'unknown',
  week: null,
  previousWeek: null,
  rolling: null,
  previousRolling: null,
  burnDown: [],
};

export function teamOf(slo: Slo): string {
  return slo.owner ?? UNOWNED;
}

function sloReport(slo: Slo, m: SloMeasurements): SloReport {
  const week = weekFigures(m.week, m.rolling, slo.objective);
  const previousWeek = weekFigures(m.previousWeek, m.previousRolling, slo.objective);
  const rolling = rollingFigures(m.rolling, slo.objective);
  const previousRolling = rollingFigures(m.previousRolling, slo.objective);
  return {
    id: slo.id,
    name: slo.name,
    service: slo.service,
    team: teamOf(slo),
    kind: slo.indicator.kind,
    objective: slo.objective,
    window: slo.window,
    week,
    rolling,
    previousWeek,
    previousRolling,
    change: {
      attainment: difference(week.attainment, previousWeek.attainment),
      budgetRemaining: difference(rolling.budgetRemaining, previousRolling.budgetRemaining),
      budgetConsumed: difference(week.budgetConsumed, previousWeek.budgetConsumed),
    },
    burnDown: m.burnDown,
    origin: m.origin,
  };
}

function atRisk(slos: readonly SloReport[], limit: number, periodWeeks: number): AtRiskSlo[] {
  return slos
    .filter((s) => s.rolling.budgetRemaining !== null)
    .map((s) => {
      const remaining = s.rolling.budgetRemaining as number;
      const perWeek = s.week.budgetConsumed === null ? null : s.week.budgetConsumed / periodWeeks;
      return {
        id: s.id,
        budgetRemaining: remaining,
        budgetConsumed: s.week.budgetConsumed,
        weeksToExhaustion: perWeek !== null && perWeek > 0 ? Math.max(0, remaining) / perWeek : null,
      };
    })
    .sort((a, b) => a.budgetRemaining - b.budgetRemaining)
    .slice(0, limit);
}

export function buildReport(inputs: ReportInputs): ReportData {
  const { period, previous } = inputs;
  const serviceOfSlo = new Map(inputs.slos.map((s) => [s.id, s.service]));
  const serviceOf = (sloId: string) => serviceOfSlo.get(sloId);
  const sloById = new Map(inputs.slos.map((s) => [s.id, s]));
  const periodWeeks = periodSeconds(period) / WEEK_SECONDS;

  const teams = new Map<string, Map<string, Slo[]>>();
  for (const slo of inputs.slos) {
    const services = teams.get(teamOf(slo)) ?? new Map<string, Slo[]>();
    services.set(slo.service, [...(services.get(slo.service) ?? []), slo]);
    teams.set(teamOf(slo), services);
  }

  const teamReports: TeamReport[] = [...teams.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([team, services]) => {
      const serviceReports: ServiceReport[] = [...services.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([service, slos]) => {
          const ids = new Set(slos.map((s) => s.id));
          const belongs = (r: { sloId: string | null; service?: string | null }) =>
            r.sloId !== null ? ids.has(r.sloId) : r.service === service;
          const alerts = inputs.alerts.filter((a) => ids.has(a.sloId));
          const sloIdsOf = (i: { sloId: string | null; slos?: readonly { sloId: string }[] }) => (i.slos?.length ? i.slos.map((x) => x.sloId) : i.sloId ? [i.sloId] : []);
          // An incident belongs to every service one of its affected SLOs is in.
          const incidents = inputs.incidents.filter((i) => (sloIdsOf(i).length > 0 ? sloIdsOf(i).some((id) => ids.has(id)) : i.service === service));
          return {
            service,
            slos: slos
              .map((slo) => sloReport(slo, inputs.measurements.get(slo.id) ?? UNKNOWN))
              .sort((a, b) => a.id.localeCompare(b.id)),
            alerts: alertSummary(alerts, inputs.incidents, serviceOf, period, previous),
            incidents: incidentSummary(incidents, period, previous, (i) => sloIdsOf(i).find((id) => ids.has(id)) ?? null),
            remediations: remediationSummary(inputs.remediations.filter(belongs), inputs.alerts, serviceOf, period, previous),
            ...(inputs.freezes && { freezes: freezeEntries(inputs.freezes.filter((r) => ids.has(r.sloId)), period, inputs.generatedAt) }),
          };
        });
      const slos = serviceReports.flatMap((s) => s.slos);
      const sum = (f: (s: ServiceReport) => number) => serviceReports.reduce((n, s) => n + f(s), 0);
      const remediationsOf = (s: ServiceReport) => s.remediations.remediations.length;
      return {
        team,
        channel: inputs.teamChannels?.[team] ?? slos.map((s) => sloById.get(s.id)?.alerting.channel).find(Boolean) ?? null,
        totals: {
          slos: slos.length,
          meetingObjective: slos.filter((s) => s.rolling.met === true).length,
          unknown: slos.filter((s) => s.rolling.met === null).length,
          pages: sum((s) => s.alerts.pages),
          tickets: sum((s) => s.alerts.tickets),
          incidents: sum((s) => s.incidents.count),
          remediations: sum(remediationsOf),
          previous: {
            meetingObjective: slos.filter((s) => s.previousRolling.met === true).length,
            pages: sum((s) => s.alerts.previous.pages),
            tickets: sum((s) => s.alerts.previous.tickets),
            incidents: sum((s) => s.incidents.previousCount),
            remediations: sum((s) => s.remediations.previousCount),
          },
        },
        services: serviceReports,
        closestToExhaustion: atRisk(slos, inputs.atRiskLimit ?? 3, periodWeeks),
      };
    });

  const notes = [...(inputs.notes ?? [])];
  const unknown = teamReports.flatMap((t) => t.services.flatMap((s) => s.slos)).filter((s) => s.origin === 'unknown');
  if (unknown.length > 0) notes.push(`No data for ${unknown.map((s) => s.id).join(', ')}: shown as unknown, not as met.`);
  return {
    title: inputs.title ?? `Reliability report ${period.label}`,
    generatedAt: inputs.generatedAt.toISOString(),
    period,
    previous,
    teams: teamReports,
    recorded: inputs.recorded ?? { alerts: true, incidents: true, remediations: true },
    notes,
  };
}
