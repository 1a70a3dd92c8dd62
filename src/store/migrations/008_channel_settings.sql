-- Per-channel settings, set from Slack (`/agent quiet`, `/agent verbose`). A channel with no row
-- uses the defaults. DMs are channels too (their D… id).
CREATE TABLE channel_settings (
  team_id     text NOT NULL,
  channel_id  text NOT NULL,
  -- How run cards show progress: quiet = status, elapsed and counts; verbose = each tool's summary.
  verbosity   text NOT NULL DEFAULT 'verbose' CHECK (verbosity IN ('quiet', 'verbose')),
  updated_by  text NOT NULL,                  -- Slack user id of the last change
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (team_id, channel_id)
);

-- A person's recorded run costs of the last 24 hours (CODETHREAD_USER_DAILY_BUDGET_USD): run.finish
-- records by actor and time; also `codethread audit --user`.
CREATE INDEX audit_log_action_actor_at ON audit_log (action, actor, at);
