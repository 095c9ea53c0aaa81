-- Leadership among replicas on one PostgreSQL: one row per lease. The holder renews it
-- (version + 1); a follower takes it over when it has seen the version unchanged for a
-- whole lease duration, when it was released (holder ''), or when the holder's database
-- session is gone. Every takeover increments the fencing token; the leader's cycle writes
-- only while the row still carries its token.
CREATE TABLE leader_lease (
  name text PRIMARY KEY,
  holder text NOT NULL DEFAULT '',
  token bigint NOT NULL DEFAULT 0,
  version bigint NOT NULL DEFAULT 0,
  holder_session text NOT NULL DEFAULT '',
  renewed_at timestamptz
);
