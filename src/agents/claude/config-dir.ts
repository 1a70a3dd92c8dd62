import { createHash } from "node:crypto";
import path from "node:path";
import type { Workspace } from "../request.js";

/** A readable, collision-free directory name for a workspace: `<basename>-<hash of its identity>`. */
export function workspaceSlug(workspace: Workspace): string {
  const identity =
    workspace.kind === "local"
      ? `local:${path.resolve(workspace.directory)}`
      : `pod:${workspace.context ?? ""}:${workspace.namespace}/${workspace.pod}/${workspace.container ?? ""}:${workspace.directory}`;
  const base =
    path
      .basename(workspace.directory)
      .replace(/[^A-Za-z0-9._-]/g, "_")
      .slice(0, 40) || "root";
  return `${base}-${createHash("sha256").update(identity).digest("hex").slice(0, 12)}`;
}

/**
 * The CLAUDE_CONFIG_DIR of a workspace. It holds the session transcripts, so it must be the same
 * for every turn of a workspace (resume depends on it) and differ between workspaces.
 */
export function configDirFor(root: string, workspace: Workspace): string {
  return path.posix.join(root, workspaceSlug(workspace));
}
