import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { CodethreadError, messageOf } from "../../errors.js";
import { Git } from "../../workspaces/git.js";
import type { FileToCommit } from "../forge.js";

export class ErrLocalRepository extends CodethreadError {
  constructor(dir: string, reason: string) {
    super("local_repository", `Could not create the local repository ${dir}: ${reason}`, { dir });
  }
}

/** codethread's own commits of templates. */
const runner = new Git({ committer: { name: "codethread", email: "codethread@localhost" } });

/** git for local projects (src/workspaces/git.ts: argv only, an environment with nothing of codethread's in it). */
async function git(args: string[], cwd: string): Promise<string> {
  try {
    return await runner.text(args, { cwd });
  } catch (err) {
    throw new ErrLocalRepository(cwd, messageOf(err));
  }
}

/** Where a local project lives: `<data dir>/projects/<name>`. */
export function localProjectDir(dataDir: string, name: string): string {
  return path.join(dataDir, "projects", name);
}

/** True when `dir` is a git repository with at least one commit. */
export async function hasCommits(dir: string): Promise<boolean> {
  if (!existsSync(path.join(dir, ".git"))) return false;
  try {
    await git(["rev-parse", "--verify", "HEAD"], dir);
    return true;
  } catch {
    return false;
  }
}

/** `git init -b main`, the files, one commit. */
export async function createLocalRepository(dir: string, files: FileToCommit[], message: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  await git(["init", "--quiet", "--initial-branch=main"], dir);
  for (const f of files) {
    const target = path.join(dir, f.path);
    if (!target.startsWith(dir + path.sep))
      throw new ErrLocalRepository(dir, `template path ${f.path} leaves the directory`);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, f.content);
  }
  await git(["add", "--all"], dir);
  await git(["commit", "--quiet", "--no-verify", "-m", message], dir);
}
