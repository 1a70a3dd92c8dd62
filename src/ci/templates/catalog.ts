import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { ForgeConfig } from "../../config.js";
import { ErrUnknownTemplate } from "../errors.js";
import type { FileToCommit } from "../forge.js";
import { expandTemplate, type TemplateVariables } from "./expand.js";

/** Where the built-in templates live (`templates/` at the package root). */
export const BuiltinTemplatesDir = fileURLToPath(new URL("../../../templates/", import.meta.url));

export const BuiltinTemplates = ["node", "go"] as const;

export type TemplateSource =
  /** Rendered by codethread and committed in one commit. */
  | { kind: "builtin"; name: string; dir: string }
  /** A template repository on the forge, generated server-side. */
  | { kind: "forge"; name: string; owner: string; repo: string };

/** Names a project may be started from: the built-ins, then the operator's. */
export function templateNames(templates: ForgeConfig["templates"]): string[] {
  return [
    ...BuiltinTemplates,
    ...Object.keys(templates).filter((n) => !(BuiltinTemplates as readonly string[]).includes(n)),
  ];
}

/** The template a name means; an operator mapping of `node` or `go` overrides the built-in. */
export function resolveTemplate(
  name: string,
  templates: ForgeConfig["templates"],
  dir = BuiltinTemplatesDir,
): TemplateSource {
  const mapped = templates[name];
  if (mapped) return { kind: "forge", name, owner: mapped.owner, repo: mapped.repo };
  if ((BuiltinTemplates as readonly string[]).includes(name))
    return { kind: "builtin", name, dir: path.join(dir, name) };
  throw new ErrUnknownTemplate(name, templateNames(templates));
}

function readTree(root: string): FileToCommit[] {
  const files: FileToCommit[] = [];
  const walk = (rel: string) => {
    for (const entry of readdirSync(path.join(root, rel)).sort()) {
      const relPath = rel ? `${rel}/${entry}` : entry;
      if (statSync(path.join(root, relPath)).isDirectory()) walk(relPath);
      else files.push({ path: relPath, content: readFileSync(path.join(root, relPath)) });
    }
  };
  walk("");
  return files;
}

/** The files of a built-in template with its variables expanded, ready for one commit. */
export function renderTemplate(
  source: Extract<TemplateSource, { kind: "builtin" }>,
  vars: TemplateVariables,
): FileToCommit[] {
  return expandTemplate(readTree(source.dir), vars);
}
