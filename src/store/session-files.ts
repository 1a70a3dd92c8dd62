import { promisify } from "node:util";
import { gunzip as gunzipCb, gzip as gzipCb } from "node:zlib";
import type { SessionFile } from "../agents/port.js";
import type { Database } from "./database.js";

// On the thread pool, not the event loop: a transcript of a few hundred KB takes milliseconds to
// compress, and a run ending must not delay the acks of Slack requests arriving meanwhile.
const gzip = promisify(gzipCb);
const gunzip = promisify(gunzipCb);

/**
 * Replace the stored files of a session with `files` (one transaction: a reader sees the old set
 * or the new one, never half). Safe to repeat. Stored gzip-compressed; a transcript of a few
 * hundred KB takes a few tens of KB.
 */
export async function saveSessionFiles(
  db: Database,
  provider: string,
  sessionId: string,
  files: readonly SessionFile[],
): Promise<void> {
  const compressed = await Promise.all(files.map((f) => gzip(f.content)));
  await db.transaction(async (tx) => {
    await tx.query("DELETE FROM agent_session_files WHERE provider = $1 AND session_id = $2", [provider, sessionId]);
    for (const [i, f] of files.entries()) {
      await tx.query(
        "INSERT INTO agent_session_files (provider, session_id, path, content, size) VALUES ($1, $2, $3, $4, $5)",
        [provider, sessionId, f.path, compressed[i], f.content.byteLength],
      );
    }
  });
}

/** The stored files of a session (empty when none were saved), uncompressed. */
export async function loadSessionFiles(db: Database, provider: string, sessionId: string): Promise<SessionFile[]> {
  const { rows } = await db.query<{ path: string; content: Uint8Array }>(
    "SELECT path, content FROM agent_session_files WHERE provider = $1 AND session_id = $2 ORDER BY path",
    [provider, sessionId],
  );
  return Promise.all(rows.map(async (r) => ({ path: r.path, content: await gunzip(r.content) })));
}
