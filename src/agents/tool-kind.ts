/**
 * What a tool does, in words shared by every provider. Providers map their own tool names to
 * these (each in its `tools.ts`); nothing downstream (summaries, the Slack card) reads vendor
 * tool names.
 */
export const ToolKinds = ["shell", "read", "edit", "search", "web", "task", "other"] as const;
export type ToolKind = (typeof ToolKinds)[number];

/**
 * Finer than the kind: what the summary says. `write` and `edit` are both kind `edit`
 * ("Wrote a.ts" / "Edited a.ts"), `list` and `search` both kind `search`.
 */
export type ToolAction =
  | "run"
  | "read-output"
  | "stop-command"
  | "read"
  | "write"
  | "edit"
  | "list"
  | "search"
  | "fetch"
  | "web-search"
  | "subagent"
  | "todo"
  | "question"
  | "skill"
  | "outside-workspace";

/** The kind of each action. Reading a background command's output is not a command run: `other`. */
const KindOf: Record<ToolAction, ToolKind> = {
  run: "shell",
  "read-output": "other",
  "stop-command": "other",
  read: "read",
  write: "edit",
  edit: "edit",
  list: "search",
  search: "search",
  fetch: "web",
  "web-search": "web",
  subagent: "task",
  todo: "other",
  question: "other",
  skill: "other",
  "outside-workspace": "other",
};

export function kindOf(action: ToolAction | undefined): ToolKind {
  return action ? KindOf[action] : "other";
}

/** A provider's tool names (exactly as its stream spells them) and what each does. */
export type ToolTable = ReadonlyMap<string, ToolAction>;

export function toolTable(entries: Record<string, ToolAction>): ToolTable {
  return new Map(Object.entries(entries));
}
