import { existsSync } from "node:fs";
import { connectForge } from "../../ci/connection.js";
import { ThreadProjects } from "../../ci/thread-projects.js";
import { threadPrunePolicy } from "../../ci/worktree-sweep.js";
import type { Config } from "../../config.js";
import { messageOf } from "../../errors.js";
import { silentLogger } from "../../log.js";
import type { Database } from "../../store/database.js";
import { listProjects } from "../../store/projects.js";
import { diskReportLines } from "../../workspaces/disk-report.js";
import { projectRepository } from "../../workspaces/project.js";
import { assessProject } from "../../workspaces/prune.js";
import type { Check } from "./doctor-forge.js";

/**
 * Disk use of each project on this machine (its repository and its threads' worktrees), against
 * CODETHREAD_WORKTREE_MAX_BYTES: a warning names a project over its bound and the worktrees that
 * keep it there, with the reason each stays (the hourly sweep prunes the rest). Changes nothing.
 */
export async function checkWorktrees(config: Config, db: Database | undefined): Promise<Check[]> {
  if (!db) return [];
  try {
    const projects = await listProjects(db).catch(() => []);
    const threads = new ThreadProjects({ db, config, connect: () => connectForge(config), log: silentLogger });
    const checks: Check[] = [];
    for (const project of projects) {
      const repo = projectRepository(project, config.database.dataDir);
      if (!existsSync(repo.repoDir)) continue;
      const policy = threadPrunePolicy(
        { db, idleMs: config.workspaces.idleMs, maxBytes: config.workspaces.maxBytes },
        project,
      );
      const report = await assessProject(threads.git, threads.worktrees, repo, policy);
      checks.push({
        name: "disk",
        status: report.overLimit ? "warn" : "ok",
        detail: diskReportLines(report).join("\n      "),
      });
    }
    return checks;
  } catch (err) {
    return [{ name: "disk", status: "warn", detail: `could not measure the projects' worktrees: ${messageOf(err)}` }];
  }
}
