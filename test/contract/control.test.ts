import { existsSync } from "node:fs";
import path from "node:path";
import { expect, it } from "vitest";
import { eventually, processesMentioning } from "../claude/processes.js";
import { collect } from "../support/opencode-harness.js";
import { describeEachProvider } from "../support/providers.js";
import type { LlmScript } from "../support/scripted-llm.js";

/** A command once, then an answer quoting what the tool said (or what the denial said). */
const runOnce =
  (command: string): LlmScript =>
  ({ step, toolOutput }) =>
    step === 0 ? { tool: { kind: "shell", command } } : { text: `After the tool: ${toolOutput}` };

/** A sleep no other process on the machine runs, to find the tool in the process table. */
const uniqueSleep = () => 7_000 + Math.floor(Math.random() * 90_000);

/** The provider contract, part 2: stopping a run and asking a person, checked the same way for each. */
describeEachProvider("provider contract: control", (p) => {
  it("cancel mid-tool: the run ends cancelled and the tool's process is gone", async () => {
    const secs = uniqueSleep();
    // Starts with echo: newer Claude Code refuses a command that begins with a long sleep.
    p.llm.script = runOnce(`echo started && sleep ${secs} && echo finished`);
    const req = p.request("Run the long job", p.workspace("cancel"), {
      permissions: { mode: "allow-tools", tools: ["Bash"] },
    });
    const run = await collect(p.agent.execute(req), async (e) => {
      if (e.type === "tool_use") {
        expect(await eventually(() => processesMentioning(`sleep ${secs}`).length > 0)).toBe(true);
        await p.agent.cancel(req.runId);
      }
    });
    expect(run.of("tool_use")).toEqual([expect.objectContaining({ kind: "shell" })]);
    expect(run.result.outcome).toBe("cancelled");
    expect(run.result.text).not.toContain("After the tool");
    expect(processesMentioning(`sleep ${secs}`)).toEqual([]);
    expect(run.of("result")).toHaveLength(1);
  });

  it("ask → allow: the request names the tool, the tool runs, the turn succeeds", async () => {
    const dir = p.workspace("allow");
    p.llm.script = runOnce("touch allowed.txt");
    const req = p.request("Make the file", dir, { permissions: { mode: "ask" } });
    const answered: boolean[] = [];
    const run = await collect(p.agent.execute(req), async (e) => {
      if (e.type === "permission_request")
        answered.push(await p.agent.respondToPermission(req.runId, e.id, { allow: true }));
    });
    expect(run.of("permission_request")).toEqual([expect.objectContaining({ summary: "Ran touch allowed.txt" })]);
    expect(answered).toEqual([true]);
    expect(run.of("permission_denied")).toEqual([]);
    expect(run.of("tool_result")).toEqual([expect.objectContaining({ ok: true })]);
    expect(existsSync(path.join(dir, "allowed.txt"))).toBe(true);
    expect(run.result.outcome).toBe("succeeded");
    // Answering again, after the run: nothing is waiting.
    const [asked] = run.of("permission_request");
    expect(await p.agent.respondToPermission(req.runId, asked?.id ?? "", { allow: true })).toBe(false);
  });

  it("ask → deny: the tool does not run, the denial is reported and the model hears the reason", async () => {
    const dir = p.workspace("deny");
    p.llm.script = runOnce("touch denied.txt");
    const reason = "Not from the contract suite";
    const req = p.request("Make the file", dir, { permissions: { mode: "ask" } });
    const run = await collect(p.agent.execute(req), async (e) => {
      if (e.type === "permission_request")
        await p.agent.respondToPermission(req.runId, e.id, { allow: false, message: reason });
    });
    expect(run.of("permission_request")).toHaveLength(1);
    expect(run.of("permission_denied")).toEqual([expect.objectContaining({ reason })]);
    expect(run.of("tool_result")).toEqual([expect.objectContaining({ ok: false })]);
    expect(existsSync(path.join(dir, "denied.txt"))).toBe(false);
    expect(p.llm.seen.at(-1)?.toolOutput).toContain(reason);
    expect(run.result.outcome).toBe("succeeded");
    expect(run.result.text).toContain(reason);
  });
});
