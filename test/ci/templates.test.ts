import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ErrUnknownTemplate } from "../../src/ci/errors.js";
import {
  BuiltinTemplates,
  BuiltinTemplatesDir,
  renderTemplate,
  resolveTemplate,
} from "../../src/ci/templates/catalog.js";

const schema = JSON.parse(
  readFileSync(new URL("../fixtures/specs/woodpecker-3.17.0.config.schema.json", import.meta.url), "utf8"),
) as object;
const ajv = new Ajv({ strict: false, allErrors: true });
ajv.addFormat("uri", /^[a-z][a-z0-9+.-]*:/i);
const validateWorkflow = ajv.compile(schema);

const vars = { name: "Billing_API", owner: "acme", description: 'Pays "bills" & $things' };

function render(name: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), `template-${name}-`));
  for (const f of renderTemplate(
    resolveTemplate(name, {}) as Extract<ReturnType<typeof resolveTemplate>, { kind: "builtin" }>,
    vars,
  )) {
    mkdirSync(path.dirname(path.join(dir, f.path)), { recursive: true });
    writeFileSync(path.join(dir, f.path), f.content);
  }
  return dir;
}

function run(bin: string, args: string[], cwd: string, env: Record<string, string> = {}) {
  const r = spawnSync(bin, args, {
    cwd,
    encoding: "utf8",
    env: { PATH: process.env.PATH ?? "", HOME: cwd, ...env },
    timeout: 120_000,
  });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

// CI installs Go (.ci/run), so there the go template's test always runs and a missing `go` fails it;
// on a laptop without Go it is left out.
const hasGo = spawnSync("go", ["version"], { encoding: "utf8" }).status === 0 || process.env.CI === "true";

describe("built-in templates", () => {
  it("have Woodpecker workflows valid against its config schema, running on push, pull_request and manual", () => {
    let checked = 0;
    for (const name of BuiltinTemplates) {
      const dir = path.join(BuiltinTemplatesDir, name, ".woodpecker");
      for (const file of readdirSync(dir).filter((f) => /\.ya?ml$/.test(f))) {
        const doc = parse(readFileSync(path.join(dir, file), "utf8")) as { when: { event: string[] }[] };
        expect(validateWorkflow(doc), `${name}/${file}: ${ajv.errorsText(validateWorkflow.errors)}`).toBe(true);
        expect(doc.when.flatMap((w) => w.event)).toEqual(expect.arrayContaining(["push", "pull_request", "manual"]));
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(2);
    // The check itself: the pre-1.0 `pipeline:` syntax is not a valid workflow.
    expect(validateWorkflow({ pipeline: { test: { image: "alpine", commands: ["true"] } } })).toBe(false);
  });

  it("expand name, owner and description in the listed files only", () => {
    const files = renderTemplate(
      resolveTemplate("node", {}) as Extract<ReturnType<typeof resolveTemplate>, { kind: "builtin" }>,
      vars,
    );
    const byPath = Object.fromEntries(files.map((f) => [f.path, f.content.toString("utf8")]));
    expect(Object.keys(byPath)).not.toContain(".gitea/template");
    expect(byPath["README.md"]).toMatch(/^# Billing_API\n\nPays "bills" & \$things\n\nOwned by acme;/);
    expect(JSON.parse(byPath["package.json"]!).name).toBe("billing-api");
    // Woodpecker files and code are copied as they are.
    expect(byPath[".woodpecker/ci.yaml"]).toBe(
      readFileSync(path.join(BuiltinTemplatesDir, "node/.woodpecker/ci.yaml"), "utf8"),
    );
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the template's own JavaScript, copied as is
    expect(byPath["src/greeting.js"]).toContain("`Hello, ${who}!`");
  });

  it("node: its test really passes (npm test, Node's built-in runner, nothing to install)", () => {
    const r = run("npm", ["test", "--silent"], render("node"));
    expect(r.out).toMatch(/# pass 2/);
    expect(r.code, r.out).toBe(0);
  });

  it.runIf(hasGo)("go: go vet and go test pass", () => {
    const dir = render("go");
    const env = {
      GOCACHE: path.join(dir, ".cache"),
      GOPATH: path.join(dir, ".gopath"),
      GOFLAGS: "-mod=mod",
      GOPROXY: "off",
      GOTOOLCHAIN: "local",
    };
    const vet = run("go", ["vet", "./..."], dir, env);
    expect(vet.code, vet.out).toBe(0);
    const test = run("go", ["test", "./..."], dir, env);
    expect(test.out).toMatch(/^ok\s+billing-api/m);
    expect(test.code, test.out).toBe(0);
  });

  it("names the templates there are when asked for another", () => {
    expect(() => resolveTemplate("rust", {})).toThrow(ErrUnknownTemplate);
    expect(() => resolveTemplate("rust", { api: { owner: "t", repo: "api" } })).toThrow(/use one of node, go, api/);
    expect(resolveTemplate("api", { api: { owner: "t", repo: "api" } })).toEqual({
      kind: "forge",
      name: "api",
      owner: "t",
      repo: "api",
    });
  });
});
