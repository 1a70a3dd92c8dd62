import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { openPGlite } from "../../src/store/adapters/pglite.js";
import { listAudit, recordAudit } from "../../src/store/audit.js";
import { ErrDataDirLocked, ErrDataDirNotWritable } from "../../src/store/errors.js";
import { migrate } from "../../src/store/migrate.js";

const tmp = () => mkdtempSync(path.join(tmpdir(), "codethread-data-"));

describe("embedded database directory", () => {
  it("keeps data across restarts", async () => {
    const dir = tmp();
    const a = await openPGlite(dir);
    await migrate(a);
    await recordAudit(a, { actor: "U1", action: "run.start" });
    await a.close();
    const b = await openPGlite(dir);
    expect((await listAudit(b)).map((e) => e.actor)).toEqual(["U1"]);
    await b.close();
  });

  it("refuses a second opener while the first holds it, naming the holder", async () => {
    const dir = tmp();
    const a = await openPGlite(dir);
    await expect(openPGlite(dir)).rejects.toThrow(ErrDataDirLocked);
    await expect(openPGlite(dir)).rejects.toThrow(new RegExp(`process ${process.pid}.*DATABASE_URL`, "s"));
    await a.close();
    const b = await openPGlite(dir);
    await b.close();
  });

  it("refuses a directory locked by another live process", async () => {
    const dir = tmp();
    const sleeper = spawn(process.execPath, ["-e", "setTimeout(() => {}, 30000)"]);
    try {
      writeFileSync(path.join(dir, "codethread.lock"), `${sleeper.pid}\n${(await import("node:os")).hostname()}\n`);
      await expect(openPGlite(dir)).rejects.toThrow(ErrDataDirLocked);
    } finally {
      sleeper.kill("SIGKILL");
    }
  });

  it("takes over a lock left by a process that died", async () => {
    const dir = tmp();
    const dead = spawn(process.execPath, ["-e", ""]);
    await new Promise((r) => dead.on("exit", r));
    writeFileSync(path.join(dir, "codethread.lock"), `${dead.pid}\n${(await import("node:os")).hostname()}\n`);
    const db = await openPGlite(dir);
    await db.close();
  });

  it("explains a directory it cannot create (a file stands in its path)", async () => {
    const dir = tmp();
    writeFileSync(path.join(dir, "file"), "x");
    await expect(openPGlite(path.join(dir, "file", "data"))).rejects.toThrow(ErrDataDirNotWritable);
  });

  it("explains a data directory path that is a file", async () => {
    const dir = tmp();
    const file = path.join(dir, "not-a-dir");
    writeFileSync(file, "x");
    await expect(openPGlite(file)).rejects.toThrow(ErrDataDirNotWritable);
    await expect(openPGlite(file)).rejects.toThrow(/CODETHREAD_DATA_DIR/);
  });
});
