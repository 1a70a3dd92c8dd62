import { describe, expect, it } from "vitest";
import { type StepReport, statusOf } from "../../src/ci/provision/report.js";
import { Redactor } from "../../src/ci/redact.js";
import { Secret } from "../../src/secret.js";

describe("Redactor", () => {
  const r = new Redactor([new Secret("wp_0123456789abcdef"), new Secret("abc")]);

  it("removes known secret values wherever they appear", () => {
    expect(r.redact("echo wp_0123456789abcdef | login")).toBe("echo [REDACTED] | login");
    // Very short values are not searched for (they would blank ordinary words).
    expect(r.redact("abcdef")).toBe("abcdef");
  });

  it("removes what is shaped like a credential", () => {
    expect(r.redact('curl -H "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.x.y" https://ci')).toBe(
      'curl -H "Authorization: Bearer [REDACTED]" https://ci',
    );
    expect(r.redact("git clone https://bot:s3cretpass@git.example.com/a/b.git")).toBe(
      "git clone https://[REDACTED]@git.example.com/a/b.git",
    );
    expect(r.redact("NPM_TOKEN=npm_abcdefgh export API_KEY: 'k-123'")).toBe(
      "NPM_TOKEN=[REDACTED] export API_KEY: '[REDACTED]'",
    );
    expect(r.redact("commit 5e1a0c2b9f8d7e6a5b4c3d2e1f0a9b8c7d6e5f4a ok")).toBe(
      "commit 5e1a0c2b9f8d7e6a5b4c3d2e1f0a9b8c7d6e5f4a ok",
    );
  });
});

describe("provisioning status", () => {
  const s = (step: StepReport["step"], state: StepReport["state"]): StepReport => ({ step, state, text: "" });
  it("is ready only when every step is done or skipped, failed without a repository", () => {
    expect(statusOf([s("repository", "done"), s("ci", "skipped")])).toBe("ready");
    expect(statusOf([s("repository", "done"), s("ci", "manual")])).toBe("needs_attention");
    expect(statusOf([s("repository", "done"), s("build_result", "running"), s("build_result", "failed")])).toBe(
      "needs_attention",
    );
    expect(statusOf([s("repository", "running"), s("repository", "failed")])).toBe("failed");
  });
});
