import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { getPriority, tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { silentLogger } from "../../src/log.js";
import { ClusterDirName } from "../../src/store/adapters/embedded-postgres.js";
import { listAudit, recordAudit } from "../../src/store/audit.js";
import { ErrDataDirLocked } from "../../src/store/errors.js";
import { openDatabase } from "../../src/store/open.js";
import { waitUntil } from "../support/queue-fixtures.js";

const dataDir = () => mkdtempSync(path.join(tmpdir(), "codethread-embedded-"));
const open = (dir: string) => openDatabase(loadConfig({ CODETHREAD_DATA_DIR: dir }, "/"), silentLogger);

/** A process holding the embedded database of `dir` (test/support/embedded-db-holder.ts), once it is ready. */
async function holder(dir: string, actor: string) {
  const child = spawn(process.execPath, ["--import", "tsx", "test/support/embedded-db-holder.ts"], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, CODETHREAD_DATA_DIR: dir, HOLDER_ACTOR: actor },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const kind = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on("line", (line) => {
      if (line.startsWith("ready ")) resolve(line.slice(6));
    });
    child.once("exit", (code) => reject(new Error(`the holder exited with ${code}`)));
  });
  return { child, kind };
}

describe("the embedded default (no DATABASE_URL)", () => {
  it("is a PostgreSQL server in its own process that keeps data across restarts", async () => {
    const dir = dataDir();
    const a = await open(dir);
    expect(a.kind).toBe("embedded-postgres");
    expect(a.describe()).toBe(`embedded postgres ${dir}`);
    await recordAudit(a, { actor: "U1", action: "run.start" });
    await a.close();
    const b = await open(dir);
    expect((await listAudit(b)).map((e) => e.actor)).toEqual(["U1"]);
    await b.close();
  });

  it("refuses a second opener while the first holds it", async () => {
    const dir = dataDir();
    const a = await open(dir);
    await expect(open(dir)).rejects.toThrow(ErrDataDirLocked);
    await a.close();
    const b = await open(dir);
    await b.close();
  });

  it("opens again after its owner was killed with SIGKILL, with what the owner wrote", async () => {
    const dir = dataDir();
    const { child, kind } = await holder(dir, "before-the-crash");
    expect(kind).toBe("embedded-postgres");
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGKILL");
    await exited;
    const db = await open(dir);
    try {
      expect((await listAudit(db)).map((e) => e.actor)).toContain("before-the-crash");
    } finally {
      await db.close();
    }
  });

  it("runs its server and the server's backends below the bot's CPU priority", async () => {
    const dir = dataDir();
    const db = await open(dir);
    try {
      const server = Number(readFileSync(path.join(dir, ClusterDirName, "postmaster.pid"), "utf8").split("\n")[0]);
      const { rows } = await db.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
      const lower = Math.min(19, getPriority(0) + 5);
      expect({ server: getPriority(server), backend: getPriority(rows[0]!.pid) }).toEqual({
        server: lower,
        backend: lower,
      });
    } finally {
      await db.close();
    }
  });

  it("restarts its server when the server dies, and answers again", async () => {
    const dir = dataDir();
    const db = await open(dir);
    try {
      const pidFile = path.join(dir, ClusterDirName, "postmaster.pid");
      const serverPid = () => {
        try {
          return Number(readFileSync(pidFile, "utf8").split("\n")[0]);
        } catch {
          return 0;
        }
      };
      const first = serverPid();
      process.kill(first, "SIGKILL");
      await waitUntil(async () => {
        if (serverPid() === first || serverPid() === 0) return false;
        try {
          await recordAudit(db, { actor: "after-the-restart", action: "run.start" });
          return true;
        } catch {
          return false; // the pool's connections to the killed server fail once each
        }
      }, "a new server answering");
      expect((await listAudit(db)).map((e) => e.actor)).toContain("after-the-restart");
    } finally {
      await db.close();
    }
  });
});
