import { spawn } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import path from "node:path";

/**
 * Real git for the fake forge: bare repositories in a temporary directory, written with git's
 * plumbing (hash-object, update-index, write-tree, commit-tree, update-ref) so every commit the
 * fake makes is a real commit that `git clone` over HTTP returns.
 */

export interface GitFile {
  path: string;
  content: Buffer;
}

/** The environment of every git the fakes run: no user or system configuration leaks in. */
export function gitEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: "/nonexistent",
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_TERMINAL_PROMPT: "0",
    LANG: "C",
    ...extra,
  };
}

/** Run git with argv (never a shell); resolves stdout, rejects with stderr on a non-zero exit. */
export function git(
  args: string[],
  options: { cwd?: string; input?: Buffer | string; env?: Record<string, string> } = {},
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn("git", args, { cwd: options.cwd, env: gitEnv(options.env), stdio: "pipe" });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (d: Buffer) => out.push(d));
    child.stderr.on("data", (d: Buffer) => err.push(d));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolve(Buffer.concat(out));
      else reject(new Error(`git ${args[0]} exited ${code}: ${Buffer.concat(err).toString().trim()}`));
    });
    // A git that reads no stdin may exit before it is written: that is not an error.
    child.stdin.on("error", () => undefined);
    child.stdin.end(options.input ?? "");
  });
}

const text = async (p: Promise<Buffer>) => (await p).toString("utf8").trim();

export class GitRepos {
  constructor(readonly root: string) {
    mkdirSync(root, { recursive: true });
  }

  dir(owner: string, name: string): string {
    return path.join(this.root, owner, `${name}.git`);
  }

  async init(owner: string, name: string, defaultBranch: string): Promise<void> {
    await git(["init", "--quiet", "--bare", `--initial-branch=${defaultBranch}`, this.dir(owner, name)]);
  }

  remove(owner: string, name: string): void {
    rmSync(this.dir(owner, name), { recursive: true, force: true });
  }

  async head(owner: string, name: string, branch: string): Promise<string | undefined> {
    try {
      return await text(
        git(["rev-parse", "--verify", "--quiet", `refs/heads/${branch}`], { cwd: this.dir(owner, name) }),
      );
    } catch {
      return undefined;
    }
  }

  /** Every file of `branch` (empty for a branch that does not exist). */
  async files(owner: string, name: string, branch: string): Promise<GitFile[]> {
    const cwd = this.dir(owner, name);
    if (!(await this.head(owner, name, branch))) return [];
    const list = (await git(["ls-tree", "-r", "-z", "--full-tree", `refs/heads/${branch}`], { cwd })).toString("utf8");
    const files: GitFile[] = [];
    for (const entry of list.split("\0").filter(Boolean)) {
      const [meta, filePath] = entry.split("\t") as [string, string];
      const sha = meta.split(" ")[2]!;
      files.push({ path: filePath, content: await git(["cat-file", "blob", sha], { cwd }) });
    }
    return files;
  }

  /** Blob sha of a file on `branch`, if it exists. */
  async blob(owner: string, name: string, branch: string, filePath: string): Promise<string | undefined> {
    try {
      return await text(
        git(["rev-parse", "--verify", "--quiet", `refs/heads/${branch}:${filePath}`], { cwd: this.dir(owner, name) }),
      );
    } catch {
      return undefined;
    }
  }

  /** One commit adding `files` on top of `branch` (the first commit when the branch is new). */
  async commit(
    owner: string,
    name: string,
    input: { branch: string; message: string; files: GitFile[]; author: { name: string; email: string } },
  ): Promise<{ commit: string; blobs: Record<string, string>; parent?: string }> {
    const cwd = this.dir(owner, name);
    const index = path.join(cwd, `index-${process.pid}-${Date.now()}`);
    const env = {
      GIT_INDEX_FILE: index,
      GIT_AUTHOR_NAME: input.author.name,
      GIT_AUTHOR_EMAIL: input.author.email,
      GIT_COMMITTER_NAME: input.author.name,
      GIT_COMMITTER_EMAIL: input.author.email,
    };
    const parent = await this.head(owner, name, input.branch);
    try {
      if (parent) await git(["read-tree", parent], { cwd, env });
      const blobs: Record<string, string> = {};
      for (const f of input.files) {
        const sha = await text(git(["hash-object", "-w", "--stdin"], { cwd, env, input: f.content }));
        blobs[f.path] = sha;
        await git(["update-index", "--add", "--cacheinfo", `100644,${sha},${f.path}`], { cwd, env });
      }
      const tree = await text(git(["write-tree"], { cwd, env }));
      const commit = await text(
        git(["commit-tree", tree, ...(parent ? ["-p", parent] : []), "-m", input.message], { cwd, env }),
      );
      await git(["update-ref", `refs/heads/${input.branch}`, commit, parent ?? ""], { cwd, env });
      return { commit, blobs, parent };
    } finally {
      rmSync(index, { force: true });
    }
  }
}
