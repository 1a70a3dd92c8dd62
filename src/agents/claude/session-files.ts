import { randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { CodethreadError } from "../../errors.js";
import type { SessionFile, SessionFiles } from "../port.js";
import type { Workspace } from "../request.js";
import { configDirFor } from "./config-dir.js";

/**
 * Claude Code keeps a session as a transcript, `<CLAUDE_CONFIG_DIR>/projects/<cwd slug>/<id>.jsonl`
 * (subagent transcripts, when there are any, under `<id>/` beside it), and `--resume <id>` reads it
 * from there. The config dir is per workspace under the replica's CLAUDE_CONFIG_ROOT, so another
 * replica does not have it: these are the files the worker stores in the database. `--resume` looks only
 * under the current working directory's project dir (2.1.197), so a restore also writes there when the
 * replica's checkout path differs from the one the session was filed under.
 *
 * Pod workspaces keep their sessions in the pod, which every replica execs into: nothing to move.
 */

/** Largest session collected (all its files): about 200 long turns. Larger: not stored, with an error. */
export const MaxSessionBytes = 64 * 1024 * 1024;
/** Most files one session may have (its transcript plus subagent transcripts). */
export const MaxSessionFiles = 500;

const SessionIdPattern = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

/** A session too large to store: resuming it on another replica will not find it. */
export class ErrSessionTooLarge extends CodethreadError {
  constructor(sessionId: string, bytes: number, files: number) {
    super(
      "session_too_large",
      `The Claude Code session ${sessionId} has grown past what is stored for other replicas (${bytes} bytes in ${files} files; limits ${MaxSessionBytes} bytes, ${MaxSessionFiles} files).`,
      { sessionId, bytes, files },
    );
  }
}

/** A stored path that would land outside the session's own files. */
export class ErrSessionFilePath extends CodethreadError {
  constructor(sessionId: string, file: string) {
    super("session_file_path", `Refusing to restore "${file}" for session ${sessionId}: not one of its files.`, {
      sessionId,
      file,
    });
  }
}

/** The directory Claude Code files a working directory's sessions under: `/work/app` → `-work-app`. */
export function projectDirName(cwd: string): string {
  return cwd.replace(/[^a-zA-Z0-9]/g, "-");
}

async function filesUnder(dir: string, out: string[] = []): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) await filesUnder(p, out);
    else if (e.isFile()) out.push(p);
    if (out.length > MaxSessionFiles) break;
  }
  return out;
}

export class ClaudeSessionFiles implements SessionFiles {
  constructor(private readonly configRoot: string) {}

  #root(workspace: Workspace): string | undefined {
    return workspace.kind === "local" ? configDirFor(path.resolve(this.configRoot), workspace) : undefined;
  }

  async collect(sessionId: string, workspace: Workspace): Promise<SessionFile[]> {
    const root = this.#root(workspace);
    if (!root || !SessionIdPattern.test(sessionId)) return [];
    const projects = path.join(root, "projects");
    const dirs = await readdir(projects).catch(() => [] as string[]);
    const found: string[] = [];
    for (const d of dirs) {
      found.push(path.join(projects, d, `${sessionId}.jsonl`));
      await filesUnder(path.join(projects, d, sessionId), found);
    }
    const out: SessionFile[] = [];
    let bytes = 0;
    for (const file of found) {
      const content = await readFile(file).catch(() => undefined);
      if (!content) continue;
      bytes += content.byteLength;
      out.push({ path: path.relative(root, file).split(path.sep).join("/"), content });
      if (bytes > MaxSessionBytes || out.length > MaxSessionFiles)
        throw new ErrSessionTooLarge(sessionId, bytes, out.length);
    }
    return out;
  }

  async restore(sessionId: string, workspace: Workspace, files: readonly SessionFile[]): Promise<void> {
    const root = this.#root(workspace);
    if (!root || files.length === 0) return;
    const own = new RegExp(`^projects/[^/]+/${sessionId}(\\.jsonl|/.+)$`);
    for (const f of files) {
      const parts = f.path.split("/");
      if (!SessionIdPattern.test(sessionId) || !own.test(f.path) || parts.some((p) => p === ".." || p === "." || !p))
        throw new ErrSessionFilePath(sessionId, f.path);
    }
    // Transcripts are filed by the working directory; a replica that checks the workspace out at
    // another path looks for them under its own, so they go there too.
    const here = projectDirName(path.resolve(workspace.directory));
    const targets = files.flatMap((f) => {
      const [, project, ...rest] = f.path.split("/");
      const paths = [f.path];
      if (project !== here) paths.push(["projects", here, ...rest].join("/"));
      return paths.map((p) => ({ path: p, content: f.content }));
    });
    for (const f of targets) {
      const target = path.join(root, ...f.path.split("/"));
      await mkdir(path.dirname(target), { recursive: true });
      // Whole or not at all: a reader (the CLI) never sees half a transcript.
      const tmp = `${target}.${randomBytes(4).toString("hex")}.restoring`;
      try {
        await writeFile(tmp, f.content, { mode: 0o600 });
        await rename(tmp, target);
      } catch (err) {
        await rm(tmp, { force: true });
        throw err;
      }
    }
  }
}
