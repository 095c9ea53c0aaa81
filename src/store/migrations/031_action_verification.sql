-- The verification of an executed action (follow the rollout, then read the burn rate) is owed
-- once per action and outlives a restart. verify_state: 'pending' from the moment the change is
-- done, 'reported' once the result is stored, audited and told (Slack channel, incident
-- timeline). The replica verifying holds a lease (verify_owner, verify_lease_until) that it
-- renews before every wait; a lease that ran out, or one held by this replica's previous process
-- (same identity), is taken over and the verification resumed with the time budget left since
-- verify_started_at. `verification` is written once, by the lease holder, before it is told.
-- Actions done before this migration have no verify_state and are left alone.
ALTER TABLE actions
  ADD COLUMN verify_state text CHECK (verify_state IN ('pending', 'reported')),
  ADD COLUMN verify_owner text,
  ADD COLUMN verify_lease_until timestamptz,
  ADD COLUMN verify_started_at timestamptz,
  ADD COLUMN verify_reported_at timestamptz;
CREATE INDEX actions_verify_pending ON actions (id) WHERE verify_state = 'pending';
