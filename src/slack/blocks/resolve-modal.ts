// "Resolve incident": asks for the one-line summary the post-mortem starts from.
import type { ModalView } from '@slack/types';
import type { Incident } from '../../incidents/types.ts';
import { RESOLVE_BLOCK, RESOLVE_INPUT, VIEW } from '../action-ids.ts';
import { clip } from './limits.ts';

export function renderResolveModal(incident: Pick<Incident, 'id' | 'title'>): ModalView {
  return {
    type: 'modal',
    callback_id: VIEW.resolveIncident,
    private_metadata: JSON.stringify({ incidentId: incident.id }),
    title: { type: 'plain_text', text: 'Resolve incident' },
    submit: { type: 'plain_text', text: 'Resolve' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: clip(`*#${incident.id}: ${incident.title}*`) } },
      {
        type: 'input',
        block_id: RESOLVE_BLOCK,
        label: { type: 'plain_text', text: 'One-line summary' },
        hint: { type: 'plain_text', text: 'What happened and what fixed it. It opens the post-mortem draft.' },
        element: { type: 'plain_text_input', action_id: RESOLVE_INPUT, max_length: 300, placeholder: { type: 'plain_text', text: 'e.g. ranker v42 doubled p99; rolled back to v41' } },
      },
    ],
  };
}
