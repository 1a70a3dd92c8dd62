-- The durable work queue: agent runs, provisioning, builds. One running job per thread key.
CREATE TABLE jobs (
  id                   text PRIMARY KEY DEFAULT gen_random_uuid()::text,
  seq                  bigint GENERATED ALWAYS AS IDENTITY UNIQUE,   -- enqueue order
  kind                 text NOT NULL CHECK (kind IN ('agent_run', 'provision', 'build')),
  thread_key           text NOT NULL,
  payload              jsonb NOT NULL,
  status               text NOT NULL DEFAULT 'queued'
                       CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled', 'interrupted')),
  attempts             integer NOT NULL DEFAULT 0,
  dedupe_key           text UNIQUE,                 -- NULLs never collide
  created_at           timestamptz NOT NULL DEFAULT now(),
  started_at           timestamptz,
  finished_at          timestamptz,
  holder               text,                        -- worker id while running (kept afterwards for the record)
  lease_until          timestamptz,
  cancel_requested_by  text,
  cancel_requested_at  timestamptz,
  error                text
);
-- Never two running jobs with one thread key, whatever a claim query does.
CREATE UNIQUE INDEX jobs_one_running_per_thread ON jobs (thread_key) WHERE status = 'running';
-- Claim scan: queued jobs in order.
CREATE INDEX jobs_queued_seq ON jobs (seq) WHERE status = 'queued';
-- Per-thread look-ups: "is something running / queued ahead in this thread".
CREATE INDEX jobs_thread_active ON jobs (thread_key, seq) WHERE status IN ('queued', 'running');
-- Reaper: running jobs by lease.
CREATE INDEX jobs_running_lease ON jobs (lease_until) WHERE status = 'running';

-- Messages to whichever replica runs a job (cancel, permission answers). NOTIFY carries only the ids;
-- the body is here, and the holder also polls unconsumed rows in case a notification was missed.
CREATE TABLE job_controls (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  job_id       text NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  message      jsonb NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  consumed_at  timestamptz
);
CREATE INDEX job_controls_pending ON job_controls (job_id) WHERE consumed_at IS NULL;
