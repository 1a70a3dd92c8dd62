import { describe, expect, it } from "vitest";
import type { StepReport } from "../../src/ci/provision/report.js";
import { silentLogger } from "../../src/log.js";
import { applyOutcome, buildResultMessage, newBuildCard } from "../../src/slack/build-card.js";
import { codeBlock, slackLink } from "../../src/slack/format.js";
import { SlackPublisher } from "../../src/slack/publisher.js";
import type { PostArgs, SlackApi } from "../../src/slack/slack-api.js";
import type { Job } from "../../src/store/queue/types.js";

/** A Slack API that records posts and edits, and answers at once. */
class RecordingApi implements SlackApi {
  readonly posts: PostArgs[] = [];
  readonly updates: (PostArgs & { ts: string })[] = [];
  async postMessage(a: PostArgs) {
    this.posts.push(a);
    return { channel: a.channel, ts: `1.${this.posts.length}` };
  }
  async update(a: PostArgs & { ts: string }) {
    this.updates.push(a);
  }
  async postEphemeral() {}
  async uploadFile() {}
  async setStatus() {}
  async replies() {
    return [];
  }
  async userName() {
    return undefined;
  }
  async openDm() {
    return "D1";
  }
}

const job = (id: string): Job =>
  ({ id, kind: "provision", threadKey: "project:demo", payload: {}, status: "running" }) as unknown as Job;

describe("provisioning cards on the run cards' budget", () => {
  it("coalesces step edits under the workspace's chat.update budget, and still shows the final state", async () => {
    const api = new RecordingApi();
    // Two tokens, one kept for final cards: one progress edit can go out at once, the rest wait.
    const publisher = new SlackPublisher({
      progress: api,
      reliable: api,
      log: silentLogger,
      progressOptions: { cardIntervalMs: 10, updatesPerMinute: 6, burst: 2, finalReserve: 1 },
    });
    const progress = publisher.projects.provision(job("j1"), {
      name: "demo",
      template: "node",
      description: "",
      private: false,
      actor: "U1",
      origin: { teamId: "T1", channelId: "C1", userId: "U1", cardTs: "9.1" },
    });
    const steps: StepReport[] = [
      { step: "repository", state: "running", text: "acme/demo" },
      {
        step: "repository",
        state: "done",
        text: "acme/demo",
        link: { url: "https://git/acme/demo", label: "acme/demo" },
      },
      { step: "ci", state: "done", text: "acme/demo activated" },
      { step: "secrets", state: "done", text: "none to set" },
      { step: "first_build", state: "done", text: "pipeline #1 on main" },
      { step: "build_result", state: "done", text: "pipeline #1 passed" },
    ];
    for (const s of steps) await progress.step(s);
    await new Promise((r) => setTimeout(r, 50));
    // The same editor as run cards: at most the one token left above the final-card reserve was spent.
    expect(api.updates.length).toBeLessThanOrEqual(1);
    await progress.ended?.({ status: "ready", steps });
    await publisher.idle();
    const last = api.updates.at(-1)!;
    expect(last.ts).toBe("9.1");
    expect(last.text).toBe("Project demo is ready");
    expect(JSON.stringify(last.blocks)).toContain("✓ *Build result*: pipeline #1 passed");
    // The summary went to the card's thread, before the final card.
    expect(api.posts).toEqual([
      expect.objectContaining({ channel: "C1", threadTs: "9.1", text: "Project demo is ready" }),
    ]);
    await publisher.close();
  });
});

describe("build results and log tails in Slack text", () => {
  it("keeps the last log lines within the bound, escaped, with no fence a line could close", () => {
    const lines = Array.from({ length: 200 }, (_, i) => `line ${i} ${"x".repeat(40)}`);
    const block = codeBlock([...lines, "```<!channel> & done"], 500);
    expect(block.length).toBeLessThanOrEqual(520);
    expect(block.startsWith("```\n…\n")).toBe(true);
    expect(block.endsWith("`\u200b``&lt;!channel&gt; &amp; done\n```")).toBe(true);
    expect(block.split("```").length).toBe(3);
  });

  it("links only URLs Slack reads as links", () => {
    expect(slackLink("https://ci/repos/1/pipeline/2", "#2")).toBe("<https://ci/repos/1/pipeline/2|#2>");
    expect(slackLink("/data/projects/notes", "/data/projects/notes")).toBe("/data/projects/notes");
    expect(slackLink("https://x/a|b", "x")).toBe("x (https://x/a|b)");
  });

  it("says what failed and shows the failing step's tail", () => {
    const state = newBuildCard({ project: "demo", userId: "U1" });
    applyOutcome(state, {
      kind: "finished",
      project: "demo",
      branch: "main",
      pipeline: {
        number: 4,
        status: "failure",
        branch: "main",
        event: "manual",
        commit: "abc",
        url: "https://ci/repos/1/pipeline/4",
        steps: [],
        errors: [],
      },
      failing: { step: "test", workflow: "ci", lines: ["not ok 1 - greets"] },
    });
    const message = buildResultMessage(state);
    expect(message.text).toBe("demo on main: pipeline #4 failure at step test");
    expect(JSON.stringify(message.blocks)).toContain("Last lines of `test` (ci):\\n```\\nnot ok 1 - greets\\n```");
  });
});
