-- Messages the bot posted and later updates in place (chat.update needs channel + ts):
-- alert messages, incident summaries, post-mortems, announcements. Keyed by what they show.
CREATE TABLE slack_messages (
  key text PRIMARY KEY,
  channel text NOT NULL,
  ts text NOT NULL,
  posted_at timestamptz NOT NULL
);
