-- The local console (`codethread start` without SLACK_BOT_TOKEN): its workspace's channels,
-- messages and files, so a restart shows the history. Unused when the bot talks to real Slack.
CREATE TABLE console_channels (
  id          text PRIMARY KEY,                -- C… (channels) or D… (direct messages)
  name        text NOT NULL,
  topic       text NOT NULL DEFAULT '',
  is_im       boolean NOT NULL DEFAULT false,
  im_user     text,                            -- the person a direct-message channel is with
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE console_messages (
  channel_id  text NOT NULL,
  ts          text NOT NULL,                   -- Slack's "<seconds>.<microseconds>": sorts as text
  thread_ts   text,                            -- null for a channel's own messages (thread roots)
  body        jsonb NOT NULL,                  -- user, text, blocks, files, reactions, edited
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (channel_id, ts)
);
-- Start-up load: the latest messages first.
CREATE INDEX console_messages_ts ON console_messages (ts DESC);

CREATE TABLE console_files (
  id          text PRIMARY KEY,                -- F…
  name        text NOT NULL,
  title       text NOT NULL,
  filetype    text NOT NULL,
  content     text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
