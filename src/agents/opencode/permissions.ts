import { DefaultPermissionTimeoutMs } from "../port.js";
import type { PermissionPolicy } from "../request.js";

/** One OpenCode permission rule. The server applies the *last* matching rule. */
export interface PermissionRule {
  permission: string;
  pattern: string;
  action: "allow" | "deny" | "ask";
}

/**
 * Tool names as operators write them (Claude Code style: `Bash`, `Write`, `Bash(git *)`)
 * mapped to OpenCode permission keys. `write`, `multiedit` and `patch` are all `edit` there.
 */
const PermissionKey: Record<string, string> = {
  bash: "bash",
  shell: "bash",
  read: "read",
  write: "edit",
  edit: "edit",
  multiedit: "edit",
  notebookedit: "edit",
  patch: "edit",
  apply_patch: "edit",
  glob: "glob",
  grep: "grep",
  ls: "list",
  list: "list",
  task: "task",
  agent: "task",
  webfetch: "webfetch",
  websearch: "websearch",
  todowrite: "todowrite",
  todoread: "todoread",
  question: "question",
  askuserquestion: "question",
  skill: "skill",
};

/** `Bash` → bash/*; `Bash(git diff:*)` → bash/`git diff *`; unknown names pass through lower-cased. */
export function ruleFor(tool: string, action: PermissionRule["action"]): PermissionRule {
  const m = /^([^()]+)\((.*)\)$/.exec(tool.trim());
  const name = (m ? m[1]! : tool).trim().toLowerCase();
  const pattern = m ? m[2]!.trim().replace(/:\*$/, " *") || "*" : "*";
  return { permission: PermissionKey[name] ?? name, pattern, action };
}

/**
 * The per-session rules that express a policy (sent with `POST /session`, or `PATCH` on a
 * resumed session). `allow-tools`: everything denied but the listed tools (denied tools are
 * not even offered to the model). `ask`: everything asks but `allowTools`. `bypass`: all
 * allowed. `default`: no rules, the server's own configuration.
 */
export function rulesForPolicy(policy: PermissionPolicy | undefined): PermissionRule[] | undefined {
  switch (policy?.mode) {
    case undefined:
    case "default":
      return undefined;
    case "bypass":
      return [{ permission: "*", pattern: "*", action: "allow" }];
    case "allow-tools":
      return [{ permission: "*", pattern: "*", action: "deny" }, ...policy.tools.map((t) => ruleFor(t, "allow"))];
    case "ask":
      return [
        { permission: "*", pattern: "*", action: "ask" },
        ...(policy.allowTools ?? []).map((t) => ruleFor(t, "allow")),
      ];
  }
}

/** What to do with a `permission.asked` the rules did not settle. */
export type AskHandling = { kind: "ask"; timeoutMs: number } | { kind: "allow" } | { kind: "deny"; reason: string };

export function askHandling(policy: PermissionPolicy | undefined): AskHandling {
  switch (policy?.mode) {
    case "ask":
      return { kind: "ask", timeoutMs: policy.timeoutMs ?? DefaultPermissionTimeoutMs };
    case "bypass":
      return { kind: "allow" };
    case "allow-tools":
      return { kind: "deny", reason: "This tool is not in the allowed tools of this workspace." };
    default:
      // The server's own defaults asked (e.g. reading .env, paths outside the project): ask a person.
      return { kind: "ask", timeoutMs: DefaultPermissionTimeoutMs };
  }
}

/**
 * Questions (`question.asked`) have no person to answer them in a run: with `bypass` the
 * first option of each question is chosen so the agent keeps going; otherwise the question is
 * declined and the agent is told so. Either way a question never blocks a run.
 */
export function answerQuestions(policy: PermissionPolicy | undefined): "first-option" | "decline" {
  return policy?.mode === "bypass" ? "first-option" : "decline";
}
