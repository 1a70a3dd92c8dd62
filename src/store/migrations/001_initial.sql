-- Thread ↔ agent session: every Slack thread that ran an agent.
CREATE TABLE thread_sessions (
  thread_key     text PRIMARY KEY,            -- team:channel:thread_ts
  team_id        text NOT NULL,
  channel_id     text NOT NULL,
  thread_ts      text NOT NULL,
  provider       text NOT NULL,
  session_id     text,                        -- null until the agent reports it
  project        text,
  owner_user_id  text NOT NULL,               -- who started the thread's first run
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  last_run_at    timestamptz
);

-- Slack deliveries already handled (event ids, channel+ts), so a retry is not handled twice.
CREATE TABLE delivery_keys (
  key         text PRIMARY KEY,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX delivery_keys_created_at ON delivery_keys (created_at);

-- Who did what: runs, cancels, approvals, provisioning.
CREATE TABLE audit_log (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at          timestamptz NOT NULL DEFAULT now(),
  actor       text NOT NULL,                  -- Slack user id, or "system"
  action      text NOT NULL,                  -- run.start, run.cancel, permission.allow, …
  thread_key  text,
  detail      jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX audit_log_thread_key ON audit_log (thread_key, at);
