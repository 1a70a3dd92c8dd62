import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/log.js";
import { Secret } from "../../src/secret.js";

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { lines, log: createLogger({ level: "info", destination }) };
}

describe("logger", () => {
  it("writes JSON lines with the message and fields", () => {
    const { lines, log } = capture();
    log.info({ jobId: "42" }, "run started");
    expect(JSON.parse(lines[0]!)).toMatchObject({ msg: "run started", jobId: "42", level: 30 });
  });

  it("redacts tokens, passwords and Authorization headers at the usual depths", () => {
    const { lines, log } = capture();
    log.info(
      {
        token: "xoxb-top",
        slack: { botToken: "xoxb-nested", token: "xoxb-one" },
        req: { headers: { authorization: "Bearer abc123" } },
        opencode: { password: "hunter2" },
        key: new Secret("k3y"),
      },
      "config",
    );
    const out = lines.join("");
    for (const secret of ["xoxb-top", "xoxb-nested", "xoxb-one", "abc123", "hunter2", "k3y"])
      expect(out).not.toContain(secret);
    expect(out).toContain("[REDACTED]");
  });
});
