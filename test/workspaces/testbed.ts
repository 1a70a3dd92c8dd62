import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { afterEach, beforeEach } from "vitest";
import { createLogger, type Logger } from "../../src/log.js";
import { Git } from "../../src/workspaces/git.js";
import { ensureLocalProject } from "../../src/workspaces/local-projects.js";
import type { ProjectRepository } from "../../src/workspaces/project.js";
import { ThreadWorktrees } from "../../src/workspaces/thread-worktrees.js";

/** A scratch data directory, a debug logger whose lines the test can read, and a real git. */
export interface Testbed {
  root: string;
  dataDir: string;
  logLines: string[];
  log: Logger;
  git: Git;
  worktrees: ThreadWorktrees;
  /** A local project made from a small template (README.md, src/app.txt). */
  project(name?: string): Promise<ProjectRepository>;
  write(dir: string, file: string, text: string): void;
  read(dir: string, file: string): string;
}

export function useTestbed(): () => Testbed {
  let bed: Testbed | undefined;
  beforeEach(() => {
    const root = mkdtempSync(path.join(tmpdir(), "ct-workspaces-"));
    const dataDir = path.join(root, "data");
    const logLines: string[] = [];
    const destination = new Writable({
      write(chunk, _enc, done) {
        logLines.push(String(chunk));
        done();
      },
    });
    const log = createLogger({ level: "debug", destination });
    const git = new Git({ log });
    const template = path.join(root, "template");
    mkdirSync(path.join(template, "src"), { recursive: true });
    writeFileSync(path.join(template, "README.md"), "# demo\n");
    writeFileSync(path.join(template, "src", "app.txt"), "line 1\nline 2\nline 3\n");
    bed = {
      root,
      dataDir,
      logLines,
      log,
      git,
      worktrees: new ThreadWorktrees({ root: path.join(dataDir, "worktrees"), git, log }),
      project: async (name = "demo") =>
        (await ensureLocalProject(git, { dataDir, name, templateDir: template })).project,
      write: (dir, file, text) => {
        mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
        writeFileSync(path.join(dir, file), text);
      },
      read: (dir, file) => readFileSync(path.join(dir, file), "utf8"),
    };
  });
  afterEach(() => {
    if (bed) rmSync(bed.root, { recursive: true, force: true });
    bed = undefined;
  });
  return () => {
    if (!bed) throw new Error("testbed used outside a test");
    return bed;
  };
}

/** Every regular file under `dir` (recursively) whose bytes contain `needle`. */
export function filesContaining(dir: string, needle: string): string[] {
  const found: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const full = path.join(d, name);
      const st = statSync(full, { throwIfNoEntry: false });
      if (!st) continue;
      if (st.isDirectory()) walk(full);
      else if (st.isFile() && readFileSync(full).includes(needle)) found.push(full);
    }
  };
  walk(dir);
  return found;
}

/** Thread keys as the store makes them (`team:channel:ts`). */
export const ThreadA = "T1:C1:1712345678.000100";
export const ThreadB = "T1:C1:1712345678.000200";
