-- One row per thread key with active jobs: how many of its jobs are queued and running, kept by triggers on `jobs`, so a claim
-- reads the threads that can run now from a small index instead of walking the queued jobs (see
-- src/store/queue/claim.ts). The counts are exact: every change of a job's status (or a new job) adds or
-- subtracts in the same transaction, on the thread row's latest version under its row lock, never from a
-- statement's snapshot. `head_seq` is only the claim's ordering key (about the seq of the thread's oldest queued
-- job); which job runs is always looked up in `jobs`.
CREATE TABLE job_threads (
  thread_key  text PRIMARY KEY,
  queued      integer NOT NULL DEFAULT 0 CHECK (queued >= 0),
  running     integer NOT NULL DEFAULT 0 CHECK (running >= 0),
  head_seq    bigint NOT NULL,
  -- No index reads `queued` or `running` themselves: a count that changes while `ready` and `head_seq` stay
  -- (an enqueue behind a busy thread) is a HOT update, which adds no index entries; hence the fill factor.
  ready       boolean GENERATED ALWAYS AS (queued > 0 AND running = 0) STORED
) WITH (fillfactor = 70);
-- The claim's scan: threads with a queued job and nothing running, oldest first.
CREATE INDEX job_threads_ready ON job_threads (head_seq) WHERE ready;
-- Only the per-row claim of migration 002 walked it; every enqueue and claim paid for it, and with stale
-- statistics the planner preferred walking it (in seq order, filtering a thread) to the per-thread index.
DROP INDEX jobs_queued_seq;

-- Add a job's contribution (p_dq, p_dr ≥ 0) to its thread, creating the row the first time.
CREATE FUNCTION job_threads_add(p_key text, p_seq bigint, p_dq integer, p_dr integer) RETURNS void
LANGUAGE plpgsql
-- Index paths only: a plan cached while job_threads was tiny would otherwise be a scan, and stay one as it grows.
SET enable_seqscan = off AS $$
BEGIN
  UPDATE job_threads t SET
    queued = t.queued + p_dq,
    running = t.running + p_dr,
    head_seq = CASE WHEN p_dq = 0 THEN t.head_seq WHEN t.queued = 0 THEN p_seq ELSE least(t.head_seq, p_seq) END
  WHERE t.thread_key = p_key;
  IF NOT FOUND THEN
    INSERT INTO job_threads AS t (thread_key, queued, running, head_seq) VALUES (p_key, p_dq, p_dr, p_seq)
    ON CONFLICT (thread_key) DO UPDATE SET
      queued = t.queued + p_dq,
      running = t.running + p_dr,
      head_seq = CASE WHEN p_dq = 0 THEN t.head_seq WHEN t.queued = 0 THEN p_seq ELSE least(t.head_seq, p_seq) END;
  END IF;
END $$;

-- Move a job between states of one thread: p_dq, p_dr in {-1, 0, 1}. When a queued job leaves the queue, the ordering
-- key moves to the oldest job still queued, read from the thread's first two active jobs (at most one runs) in
-- jobs_thread_active (`status IN ('queued', 'running')` is that index's predicate: no other index can serve it).
CREATE FUNCTION job_threads_move(p_key text, p_seq bigint, p_dq integer, p_dr integer) RETURNS void
LANGUAGE plpgsql
-- Index paths only: a plan cached while job_threads was tiny would otherwise be a scan, and stay one as it grows.
SET enable_seqscan = off AS $$
BEGIN
  IF p_dq > 0 THEN
    PERFORM job_threads_add(p_key, p_seq, p_dq, greatest(p_dr, 0));
    IF p_dr < 0 THEN UPDATE job_threads t SET running = t.running + p_dr WHERE t.thread_key = p_key; END IF;
    RETURN;
  END IF;
  -- The thread's last active job ended: drop its row (an enqueue waiting on it inserts a new one), so the table
  -- holds only threads with work. Checked on the latest version when it waits; a row it leaves at 0 / 0 is harmless.
  DELETE FROM job_threads t WHERE t.thread_key = p_key AND t.queued + p_dq = 0 AND t.running + p_dr = 0;
  IF FOUND THEN RETURN; END IF;
  UPDATE job_threads t SET
    queued = t.queued + p_dq,
    running = t.running + p_dr,
    head_seq = CASE WHEN p_dq < 0 THEN coalesce(
      (SELECT min(a.seq) FROM (SELECT q.seq, q.status FROM jobs q
                               WHERE q.thread_key = p_key AND q.status IN ('queued', 'running')
                               ORDER BY q.seq LIMIT 2) a
       WHERE a.status = 'queued'), t.head_seq)
      ELSE t.head_seq END
  WHERE t.thread_key = p_key;
END $$;

CREATE FUNCTION job_threads_track() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  oq integer := 0; orun integer := 0; nq integer := 0; nrun integer := 0;
BEGIN
  IF TG_OP <> 'INSERT' THEN
    oq := (OLD.status = 'queued')::integer;
    orun := (OLD.status = 'running')::integer;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    nq := (NEW.status = 'queued')::integer;
    nrun := (NEW.status = 'running')::integer;
  END IF;
  IF TG_OP = 'UPDATE' AND OLD.thread_key = NEW.thread_key THEN
    IF nq <> oq OR nrun <> orun THEN PERFORM job_threads_move(NEW.thread_key, NEW.seq, nq - oq, nrun - orun); END IF;
    RETURN NULL;
  END IF;
  IF oq + orun > 0 THEN PERFORM job_threads_move(OLD.thread_key, OLD.seq, -oq, -orun); END IF;
  IF nq + nrun > 0 THEN PERFORM job_threads_add(NEW.thread_key, NEW.seq, nq, nrun); END IF;
  RETURN NULL;
END $$;

CREATE FUNCTION job_threads_clear() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM job_threads;
  RETURN NULL;
END $$;

-- No writer to `jobs` (this version, an older replica during a rolling update, an operator) can skip them.
-- Lock `jobs` first: writers started before wait, those after see the triggers; the backfill below sees every commit.
LOCK TABLE jobs IN SHARE ROW EXCLUSIVE MODE;
CREATE TRIGGER jobs_track_threads_insert AFTER INSERT ON jobs FOR EACH ROW EXECUTE FUNCTION job_threads_track();
CREATE TRIGGER jobs_track_threads_update AFTER UPDATE OF status, thread_key ON jobs FOR EACH ROW
  WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.thread_key IS DISTINCT FROM NEW.thread_key)
  EXECUTE FUNCTION job_threads_track();
CREATE TRIGGER jobs_track_threads_delete AFTER DELETE ON jobs FOR EACH ROW EXECUTE FUNCTION job_threads_track();
CREATE TRIGGER jobs_track_threads_truncate AFTER TRUNCATE ON jobs FOR EACH STATEMENT EXECUTE FUNCTION job_threads_clear();

INSERT INTO job_threads (thread_key, queued, running, head_seq)
SELECT thread_key, count(*) FILTER (WHERE status = 'queued'), count(*) FILTER (WHERE status = 'running'),
       coalesce(min(seq) FILTER (WHERE status = 'queued'), max(seq))
FROM jobs WHERE status IN ('queued', 'running') GROUP BY thread_key;
