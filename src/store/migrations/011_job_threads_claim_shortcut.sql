-- A claim (one job queued → running) made two statements of wasted work in `job_threads_move` (migration 003) for
-- each job: the DELETE that drops a thread row at 0 / 0, which a running count going up can never reach, and the
-- look-up of the thread's next queued job when none is left queued (the ordering key only matters while `queued > 0`;
-- the next job added to the thread sets it, migration 003's `t.queued = 0` case). Both are skipped now: EXPLAIN
-- ANALYZE of a claim of three jobs on 10,000 one-job threads put the trigger at 0.40 ms before and 0.33
-- after (medians of eight). Everything else is as in migration 003.
CREATE OR REPLACE FUNCTION job_threads_move(p_key text, p_seq bigint, p_dq integer, p_dr integer) RETURNS void
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
  -- Not when a job starts running: the running count goes up, the row stays.
  IF p_dr <= 0 THEN
    DELETE FROM job_threads t WHERE t.thread_key = p_key AND t.queued + p_dq = 0 AND t.running + p_dr = 0;
    IF FOUND THEN RETURN; END IF;
  END IF;
  -- A job left the queue: the ordering key moves to the oldest job still queued, read from the thread's first two
  -- active jobs in jobs_thread_active (at most one runs); with none left queued it is not read (see above).
  UPDATE job_threads t SET
    queued = t.queued + p_dq,
    running = t.running + p_dr,
    head_seq = CASE WHEN p_dq < 0 AND t.queued + p_dq > 0 THEN coalesce(
      (SELECT min(a.seq) FROM (SELECT q.seq, q.status FROM jobs q
                               WHERE q.thread_key = p_key AND q.status IN ('queued', 'running')
                               ORDER BY q.seq LIMIT 2) a
       WHERE a.status = 'queued'), t.head_seq)
      ELSE t.head_seq END
  WHERE t.thread_key = p_key;
END $$;
