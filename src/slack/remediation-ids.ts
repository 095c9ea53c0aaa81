// action_id / callback_id of the remediation buttons and modal (src/actions glue).
export const REMEDIATION = {
  rollback: 'bw_remediate_rollback',
  rerun: 'bw_remediate_rerun',
  approve: 'bw_remediate_approve',
  confirmView: 'bw_remediate_confirm',
} as const;
