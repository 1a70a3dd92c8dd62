-- Pull requests opened from Slack threads, and the CI verdicts posted back to them.
ALTER TABLE jobs DROP CONSTRAINT IF EXISTS jobs_kind_check;
ALTER TABLE jobs ADD CONSTRAINT jobs_kind_check
  CHECK (kind IN ('agent_run', 'provision', 'build', 'pull_request', 'ci_watch'));

-- One pull request per thread and branch: a second click, a retried delivery or a later push reuses it.
CREATE TABLE thread_pull_requests (
  thread_key   text NOT NULL,
  branch       text NOT NULL,
  project      text NOT NULL,
  base         text NOT NULL,
  number       integer NOT NULL,
  url          text NOT NULL,
  -- The commit last pushed to it (a CI watch of an older commit stops quietly).
  head_sha     text NOT NULL,
  created_by   text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (thread_key, branch)
);

-- A CI verdict is posted once per thread and commit, whichever replica's watch sees it.
CREATE TABLE ci_verdicts (
  thread_key   text NOT NULL,
  commit_sha   text NOT NULL,
  state        text NOT NULL,
  -- What the CI said, in plain text (the failing step's log tail): "Fix the build" hands it to the agent.
  detail       text NOT NULL DEFAULT '',
  claimed_by   text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (thread_key, commit_sha)
);
