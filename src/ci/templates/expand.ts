import type { FileToCommit } from "../forge.js";

/**
 * Gitea's template-repository expansion, for built-in templates rendered by codethread itself:
 * the files matched by the globs in `.gitea/template` get `$VAR` / `${VAR}` expanded in their
 * content and path (`$$` is a literal `$`, an unknown variable expands to nothing), and
 * `.gitea/template` is dropped. The same directory pushed as a template repository expands alike.
 */

export interface TemplateVariables {
  name: string;
  owner: string;
  description: string;
}

export const TemplateSpecPath = ".gitea/template";

const words = (s: string) => s.split(/[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])/).filter(Boolean);

/** `REPO_NAME`, `REPO_OWNER`, `REPO_DESCRIPTION` and the `_LOWER`/`_UPPER`/`_KEBAB`/`_SNAKE` forms. */
export function variablesOf(v: TemplateVariables): Record<string, string> {
  const vars: Record<string, string> = { REPO_NAME: v.name, REPO_OWNER: v.owner, REPO_DESCRIPTION: v.description };
  for (const key of ["REPO_NAME", "REPO_OWNER"]) {
    const value = vars[key]!;
    vars[`${key}_LOWER`] = value.toLowerCase();
    vars[`${key}_UPPER`] = value.toUpperCase();
    vars[`${key}_KEBAB`] = words(value).join("-").toLowerCase();
    vars[`${key}_SNAKE`] = words(value).join("_").toLowerCase();
  }
  return vars;
}

export function expandText(text: string, vars: Record<string, string>): string {
  return text.replace(/\$\$|\$\{(\w+)\}|\$(\w+)/g, (m, braced?: string, bare?: string) =>
    m === "$$" ? "$" : (vars[(braced ?? bare)!] ?? ""),
  );
}

/** gobwas/glob with `/` as separator: `**` any depth, `*` and `?` within a segment, `{a,b}`. */
export function globToRegExp(glob: string): RegExp {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === "*" && glob[i + 1] === "*") {
      re += ".*";
      i++;
      if (glob[i + 1] === "/") i++;
    } else if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else if (c === "{") re += "(?:";
    else if (c === "}") re += ")";
    else if (c === ",") re += "|";
    else re += c.replace(/[.+^$()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

export function expandTemplate(files: FileToCommit[], v: TemplateVariables): FileToCommit[] {
  const spec = files.find((f) => f.path === TemplateSpecPath);
  const globs = (spec?.content.toString("utf8") ?? "")
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"))
    .map(globToRegExp);
  const vars = variablesOf(v);
  return files
    .filter((f) => f !== spec)
    .map((f) =>
      globs.some((g) => g.test(f.path))
        ? { path: expandText(f.path, vars), content: Buffer.from(expandText(f.content.toString("utf8"), vars)) }
        : f,
    );
}
