-- The files a local agent keeps its sessions in (Claude Code's transcript JSONL), saved after every turn
-- and restored before a resume, so any replica can continue any thread's session.
CREATE TABLE agent_session_files (
  provider    text NOT NULL,
  session_id  text NOT NULL,
  path        text NOT NULL,                 -- relative to the agent's session root, e.g. projects/-work/<id>.jsonl
  content     bytea NOT NULL,                -- gzip of the file
  size        bigint NOT NULL,               -- uncompressed bytes
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (provider, session_id, path)
);
