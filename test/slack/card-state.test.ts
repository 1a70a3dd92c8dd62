import { describe, expect, it } from "vitest";
import type { AgentEvent } from "../../src/agents/events.js";
import type { ToolKind } from "../../src/agents/tool-kind.js";
import { applyEvent, newCardState } from "../../src/slack/card-state.js";
import { renderRunCard } from "../../src/slack/run-card.js";

const use = (id: string, tool: string, kind: ToolKind, input: Record<string, unknown>): AgentEvent => ({
  type: "tool_use",
  id,
  tool,
  kind,
  input,
  summary: `${tool} ${id}`,
});

describe("the run card counts tool uses by kind, whatever the vendor calls the tool", () => {
  it("counts shell kinds as commands and edit kinds as changed files, once per file", () => {
    const state = newCardState({ threadTs: "1.1", userId: "U1", prompt: "fix it" });
    for (const e of [
      use("1", "bash", "shell", { command: "npm test" }),
      use("2", "RunTerminal", "shell", { command: "make" }),
      use("3", "apply_patch", "edit", { filePath: "/w/a.ts" }),
      use("4", "NotebookEdit", "edit", { notebook_path: "/w/n.ipynb" }),
      use("5", "write", "edit", { filePath: "/w/a.ts" }),
      // Vendor names that used to be matched, with other kinds: not counted.
      use("6", "Bash", "other", { command: "tail log" }),
      use("7", "edit", "read", { filePath: "/w/b.ts" }),
    ]) {
      expect(applyEvent(state, e)).toBe(true);
    }
    expect(state).toMatchObject({ toolCount: 7, commandsRun: 2, filesChanged: ["/w/a.ts", "/w/n.ipynb"] });
    const card = JSON.stringify(renderRunCard(state, Date.now()).blocks);
    expect(card).toContain("2 commands run");
    expect(card).toContain("2 files changed");
  });
});
