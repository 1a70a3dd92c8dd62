import { describe, expect, it } from "vitest";
import { silentLogger } from "../../src/log.js";
import { MaxWaitingRunWrites, RunWrites } from "../../src/worker/run-writes.js";

/** A write that finishes when the test says so. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

describe("a run's writes behind it", () => {
  it("run one at a time in order; a failed one is logged and the next goes on", async () => {
    const writes = new RunWrites(silentLogger, "job-1");
    const done: string[] = [];
    const first = gate();
    await writes.add("session id", async () => {
      await first.opened;
      done.push("session");
    });
    await writes.add("tool use", async () => {
      throw new Error("database away past the budget");
    });
    await writes.add("tool use", async () => {
      done.push("tool 2");
    });
    expect(done).toEqual([]); // add() did not wait for the database
    first.open();
    await writes.settled();
    expect(done).toEqual(["session", "tool 2"]);
  });

  it("past its bound, add waits for the oldest write instead of holding more", async () => {
    const writes = new RunWrites(silentLogger, "job-2");
    const first = gate();
    await writes.add("session id", () => first.opened);
    for (let i = 1; i < MaxWaitingRunWrites; i++) await writes.add("tool use", async () => {});
    let returned = false;
    const over = writes.add("tool use", async () => {}).then(() => (returned = true));
    await new Promise((resolve) => setImmediate(resolve)); // every microtask has run
    expect(returned).toBe(false);
    first.open();
    await over;
    expect(returned).toBe(true);
  });
});
