// Expected failures a person caused or can fix (resolving twice, an unknown incident,
// a command typed wrong). The Slack layer shows `message` privately to that person;
// anything else is a bug and gets an error id instead.
export type IncidentErrorCode =
  | 'not_found'
  | 'already_resolved'
  | 'invalid_transition'
  | 'bad_command'
  | 'not_in_incident_channel'
  | 'no_slo'
  | 'already_open';

export class IncidentError extends Error {
  readonly code: IncidentErrorCode;
  constructor(code: IncidentErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'IncidentError';
    this.code = code;
  }
}
