import { type ToolTable, toolTable } from "../tool-kind.js";

/**
 * OpenCode's tools (1.18: `GET /experimental/tool/ids`, plus names of older releases) and the
 * permission keys it asks about (`edit` covers write and patch; `external_directory` is asked
 * for paths outside the project), with what each does.
 */
export const OpenCodeTools: ToolTable = toolTable({
  bash: "run",
  read: "read",
  write: "write",
  edit: "edit",
  multiedit: "edit",
  patch: "edit",
  apply_patch: "edit",
  glob: "list",
  list: "list",
  grep: "search",
  codesearch: "web-search",
  webfetch: "fetch",
  websearch: "web-search",
  task: "subagent",
  todowrite: "todo",
  todoread: "todo",
  question: "question",
  skill: "skill",
  external_directory: "outside-workspace",
});
