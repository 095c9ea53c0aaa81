-- A post to Slack that began and has not been recorded in slack_messages yet. The row is
-- written before chat.postMessage and removed once the ts is stored (or Slack said no),
-- so a row that is still here means the outcome is unknown (the response was lost, or
-- the process died): the next attempt first looks for the message in the channel, by the
-- nonce it carried in its metadata, and adopts it instead of posting a second one.
CREATE TABLE slack_post_attempts (
  key text PRIMARY KEY,                -- the slack_messages key the post is for
  channel text NOT NULL,               -- as the post named it: an id or #name
  nonce text NOT NULL,                 -- travels in the message metadata; unique across installations
  first_attempt_at timestamptz NOT NULL
);
