/**
 * Gitea's template expansion as the fake performs it (modules/repository/generate.go): the files
 * matched by `.gitea/template` globs get `$VAR` / `${VAR}` expanded in content and path (`$$` is a
 * literal `$`), and `.gitea/template` itself is dropped.
 */

function globToRegex(glob: string): RegExp {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === "*" && glob[i + 1] === "*") {
      re += ".*";
      i++;
      if (glob[i + 1] === "/") i++;
    } else if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else if (c === "{") re += "(";
    else if (c === "}") re += ")";
    else if (c === ",") re += "|";
    else re += c.replace(/[.+^$()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

const words = (s: string) => s.split(/[^A-Za-z0-9]+|(?<=[a-z])(?=[A-Z])/).filter(Boolean);

export function templateVariables(v: {
  name: string;
  owner: string;
  description: string;
  link: string;
  templateName: string;
  templateOwner: string;
}) {
  const vars: Record<string, string> = {
    REPO_NAME: v.name,
    REPO_OWNER: v.owner,
    REPO_DESCRIPTION: v.description,
    REPO_LINK: v.link,
    REPO_HTTPS_URL: `${v.link}.git`,
    TEMPLATE_NAME: v.templateName,
    TEMPLATE_OWNER: v.templateOwner,
  };
  for (const key of ["REPO_NAME", "REPO_OWNER", "TEMPLATE_NAME", "TEMPLATE_OWNER"]) {
    const value = vars[key]!;
    vars[`${key}_LOWER`] = value.toLowerCase();
    vars[`${key}_UPPER`] = value.toUpperCase();
    vars[`${key}_KEBAB`] = words(value).join("-").toLowerCase();
    vars[`${key}_SNAKE`] = words(value).join("_").toLowerCase();
  }
  return vars;
}

function expand(text: string, vars: Record<string, string>): string {
  return text.replace(/\$\$|\$\{(\w+)\}|\$(\w+)/g, (m, braced?: string, bare?: string) => {
    if (m === "$$") return "$";
    return vars[(braced ?? bare)!] ?? "";
  });
}

export function applyTemplate(
  files: { path: string; content: Buffer }[],
  vars: Record<string, string>,
): { path: string; content: Buffer }[] {
  const spec = files.find((f) => f.path === ".gitea/template");
  if (!spec) return files;
  const globs = spec.content
    .toString("utf8")
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"))
    .map(globToRegex);
  return files
    .filter((f) => f !== spec)
    .map((f) =>
      globs.some((g) => g.test(f.path))
        ? { path: expand(f.path, vars), content: Buffer.from(expand(f.content.toString("utf8"), vars)) }
        : f,
    );
}
