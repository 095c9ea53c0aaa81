// Every action_id and callback_id the bot listens to, in one place so renderers and
// handlers cannot drift apart. Remediation buttons (src/actions) use their own ids.
export const ACTION = {
  alertAck: 'bw_alert_ack',
  alertOpenIncident: 'bw_alert_open_incident',
  alertSilence: 'bw_alert_silence',
  incidentTakeCommand: 'bw_incident_take_command',
  incidentMitigated: 'bw_incident_mitigated',
  incidentResolve: 'bw_incident_resolve',
  /** A link button into the web console: acknowledged, nothing else to do. */
  openConsole: 'bw_open_console',
  /** On a deploy-freeze post: asks for a reason, then lifts the freeze (src/slack/freeze-override.ts). */
  freezeOverride: 'bw_freeze_override',
  /** On a "rolling back in 2 min" post: stops the automatic remediation (src/slack/auto-cancel.ts). */
  autoCancel: 'bw_auto_cancel',
} as const;

export const VIEW = {
  resolveIncident: 'bw_incident_resolve_modal',
  freezeOverride: 'bw_freeze_override_modal',
} as const;

export const RESOLVE_BLOCK = 'summary';
export const RESOLVE_INPUT = 'summary_input';
export const OVERRIDE_BLOCK = 'reason';
export const OVERRIDE_INPUT = 'reason_input';

// How long a silence lasts is the alert lifecycle's; the buttons offer its options.
export { SILENCE_OPTIONS, type SilenceOption } from '../incidents/alert-desk.ts';
