import type { CodeAgent } from "../agents/port.js";
import type { Workspace } from "../agents/request.js";
import { messageOf } from "../errors.js";
import type { Logger } from "../log.js";
import type { Database } from "../store/database.js";
import { loadSessionFiles, saveSessionFiles } from "../store/session-files.js";

/**
 * Sessions of local agents (Claude Code's transcripts) follow the thread from replica to replica:
 * saved in the database after every turn, restored before a resume. The stored copy is the session
 * as its last turn left it, whichever replica ran it; it replaces a local copy (which may be older,
 * or hold half a turn of a process that was killed). Providers without `sessionFiles` keep their
 * sessions in a server every replica reaches (OpenCode), or in the pod (Claude Code in a pod).
 */

/** Put the thread's stored session files in place for a resume. A failure is logged: the resume then
 * runs on what this machine has, and if that is nothing the agent says the session was not found. */
export async function restoreSession(
  db: Database,
  agent: CodeAgent,
  sessionId: string,
  workspace: Workspace,
  log: Logger,
): Promise<number> {
  if (!agent.sessionFiles) return 0;
  try {
    const files = await loadSessionFiles(db, agent.id, sessionId);
    await agent.sessionFiles.restore(sessionId, workspace, files);
    if (files.length) log.debug({ sessionId, files: files.length }, "session files restored");
    return files.length;
  } catch (err) {
    log.error({ sessionId, err: messageOf(err) }, "could not restore the session files; resuming from local files");
    return 0;
  }
}

/** Store the session's files after a turn. A failure is logged: only a resume on another replica needs them. */
export async function keepSession(
  db: Database,
  agent: CodeAgent,
  sessionId: string,
  workspace: Workspace,
  log: Logger,
): Promise<void> {
  if (!agent.sessionFiles) return;
  try {
    const files = await agent.sessionFiles.collect(sessionId, workspace);
    if (files.length) await saveSessionFiles(db, agent.id, sessionId, files);
  } catch (err) {
    log.error(
      { sessionId, err: messageOf(err) },
      "could not store the session files; another replica cannot resume this session",
    );
  }
}
