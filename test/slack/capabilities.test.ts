import { describe, expect, it } from "vitest";
import { Capabilities, isRefusal } from "../../src/slack/capabilities.js";
import { ErrSlackApi, ErrSlackRateLimited } from "../../src/slack/errors.js";

/** What a workspace offers, learnt per workspace and re-checked: refusals for an hour, other errors at once. */
describe("capabilities per workspace", () => {
  const clock = {
    t: 0,
    now() {
      return this.t;
    },
  };

  it("stops trying a refused feature in that workspace only, and tries it again after the recheck period", () => {
    const c = new Capabilities(clock, 60_000);
    expect(c.usable("T1", "agent_sessions")).toBe(true);
    expect(c.failed("T1", "agent_sessions", new ErrSlackApi("agents.sessions.setStatus", "not_allowed"))).toBe(true);
    expect(c.usable("T1", "agent_sessions")).toBe(false);
    expect(c.usable("T2", "agent_sessions")).toBe(true);
    expect(c.usable("T1", "streaming")).toBe(true);
    clock.t += 59_999;
    expect(c.usable("T1", "agent_sessions")).toBe(false);
    clock.t += 1;
    expect(c.usable("T1", "agent_sessions")).toBe(true);
  });

  it("treats a passing fault as no answer: the next call checks again", () => {
    const c = new Capabilities(clock, 60_000);
    c.worked("T1", "streaming");
    expect(c.failed("T1", "streaming", new ErrSlackRateLimited("chat.startStream", 1_000))).toBe(false);
    expect(c.failed("T1", "streaming", new ErrSlackApi("chat.startStream", "http_503"))).toBe(false);
    expect(c.usable("T1", "streaming")).toBe(true);
  });

  it("reads Slack's refusing warnings and errors, not every error", () => {
    expect(isRefusal("missing_agent_session_stopped_event_subscription")).toBe(true);
    expect(isRefusal("superfluous_charset,missing_agent_session_stopped_event_subscription")).toBe(true);
    expect(isRefusal("superfluous_charset")).toBe(false);
    expect(isRefusal(new ErrSlackApi("chat.startStream", "missing_scope"))).toBe(true);
    expect(isRefusal(new ErrSlackApi("chat.startStream", "channel_not_found"))).toBe(false);
  });
});
