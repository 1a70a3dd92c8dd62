import { readFileSync } from "node:fs";
import { Ajv, type ValidateFunction } from "ajv";

/**
 * Checks requests and responses against a Swagger 2 spec with ajv: path matching (with the
 * wildcard parameters real servers allow), path/query/header parameters, the JSON body schema of
 * the request and of each documented response. Patches for what the specs get wrong are applied
 * on load (listed in test/fixtures/specs/README.md).
 */

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

interface Parameter {
  name: string;
  in: "path" | "query" | "header" | "body" | "formData";
  required?: boolean;
  type?: string;
  schema?: JsonObject;
}

interface Operation {
  method: string;
  template: string;
  regex: RegExp;
  names: string[];
  literalLength: number;
  parameters: Parameter[];
  responses: Record<string, JsonObject>;
}

export interface ContractOptions {
  /** Parameters whose values may contain `/` (Gitea `{filepath}`, Woodpecker `{repo_full_name}`). */
  wildcards?: string[];
  /** `"<METHOD> <template> <status>"` of 2xx answers the real server gives and the spec omits. */
  undocumented?: string[];
}

const specDir = new URL("../../fixtures/specs/", import.meta.url);

/** Make array and map schemas accept `null` (Go's nil slices and maps). */
function nullable(node: Json): Json {
  if (Array.isArray(node)) return node.map(nullable);
  if (!node || typeof node !== "object") return node;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(node)) out[k] = k === "enum" ? v : nullable(v);
  const isMap = out.type === "object" && out.additionalProperties !== undefined && !out.properties;
  if (out.type === "array" || isMap) out.type = [out.type as string, "null"];
  return out;
}

/** `#/definitions/X` refs inside an operation → the shared `spec` document's definitions. */
function rebase(node: Json): Json {
  if (Array.isArray(node)) return node.map(rebase);
  if (!node || typeof node !== "object") return node;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(node)) {
    out[k] = k === "$ref" && typeof v === "string" && v.startsWith("#/definitions/") ? `spec${v}` : rebase(v);
  }
  return out;
}

const intPattern = /^-?\d+$/;

export class SwaggerContract {
  readonly basePath: string;
  readonly #ops: Operation[] = [];
  readonly #ajv: Ajv;
  readonly #validators = new Map<string, ValidateFunction>();
  readonly #responses: Record<string, JsonObject>;
  readonly #undocumented: Set<string>;

  constructor(file: string, options: ContractOptions = {}, patch?: (definitions: JsonObject) => void) {
    const spec = JSON.parse(readFileSync(new URL(file, specDir), "utf8")) as JsonObject;
    this.basePath = (spec.basePath as string) ?? "";
    const definitions = nullable(spec.definitions ?? {}) as JsonObject;
    patch?.(definitions);
    this.#responses = (spec.responses ?? {}) as Record<string, JsonObject>;
    this.#undocumented = new Set(options.undocumented ?? []);
    this.#ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
    this.#ajv.addFormat("int64", { type: "number", validate: Number.isInteger });
    this.#ajv.addFormat("uint64", { type: "number", validate: (n: number) => Number.isInteger(n) && n >= 0 });
    this.#ajv.addFormat("date-time", /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/);
    this.#ajv.addFormat("date", /^\d{4}-\d\d-\d\d$/);
    // Gitea sends "" for organizations and hidden addresses.
    this.#ajv.addFormat("email", (s: string) => s === "" || /^[^\s@]+@[^\s@]+$/.test(s));
    this.#ajv.addFormat("binary", () => true);
    this.#ajv.addSchema({ definitions }, "spec");

    const wildcards = new Set(options.wildcards ?? []);
    for (const [template, item] of Object.entries(spec.paths as Record<string, Record<string, Json>>)) {
      const shared = (item.parameters ?? []) as unknown as Parameter[];
      for (const [method, op] of Object.entries(item)) {
        if (method === "parameters") continue;
        const o = op as JsonObject;
        const names: string[] = [];
        const source = template.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{(\w+)\}/g, (_m, name: string) => {
          names.push(name);
          return wildcards.has(name) ? "(.+)" : "([^/]+)";
        });
        this.#ops.push({
          method: method.toUpperCase(),
          template,
          regex: new RegExp(`^${source}$`),
          names,
          literalLength: template.replace(/\{\w+\}/g, "").length,
          parameters: [...shared, ...((o.parameters ?? []) as unknown as Parameter[])],
          responses: (o.responses ?? {}) as Record<string, JsonObject>,
        });
      }
    }
    // The most literal template wins (`/repos/lookup/{name}` over `/repos/{id}/...`).
    this.#ops.sort((a, b) => b.literalLength - a.literalLength);
  }

  /** The operation a request path (after the base path) matches, with its path parameters. */
  match(method: string, path: string): { op: Operation; params: Record<string, string> } | undefined {
    for (const op of this.#ops) {
      if (op.method !== method) continue;
      const m = op.regex.exec(path);
      if (!m) continue;
      const params: Record<string, string> = {};
      op.names.forEach((n, i) => {
        params[n] = decodeURIComponent(m[i + 1]!);
      });
      return { op, params };
    }
    return undefined;
  }

  /** Problems with a request (empty: it is what the spec describes). */
  checkRequest(req: {
    method: string;
    path: string;
    query: URLSearchParams;
    headers: Record<string, string | string[] | undefined>;
    body: unknown;
  }): string[] {
    const found = this.match(req.method, req.path);
    if (!found) return [`${req.method} ${req.path} is not an operation of the spec`];
    const { op, params } = found;
    const problems: string[] = [];
    for (const p of op.parameters) {
      const value =
        p.in === "path"
          ? params[p.name]
          : p.in === "query"
            ? (req.query.get(p.name) ?? undefined)
            : p.in === "header"
              ? (req.headers[p.name.toLowerCase()] as string | undefined)
              : undefined;
      if (p.in === "body") {
        if (req.body === undefined) {
          if (p.required) problems.push("the request has no body and the spec requires one");
        } else if (p.schema) {
          problems.push(...this.#validate(`${op.method} ${op.template} body`, p.schema, req.body));
        }
        continue;
      }
      if (value === undefined) {
        if (p.required) problems.push(`${p.in} parameter ${p.name} is required`);
        continue;
      }
      if (p.type === "integer" && !intPattern.test(value))
        problems.push(`${p.in} ${p.name}="${value}" is not an integer`);
      if (p.type === "boolean" && !["true", "false"].includes(value))
        problems.push(`${p.in} ${p.name} is not a boolean`);
    }
    if (req.body !== undefined && !op.parameters.some((p) => p.in === "body")) {
      problems.push("the request has a body and the operation takes none");
    }
    return problems.map((p) => `${req.method} ${op.template}: ${p}`);
  }

  /** Problems with a response to a request that matched an operation. */
  checkResponse(res: { method: string; path: string; status: number; body: unknown }): string[] {
    const found = this.match(res.method, res.path);
    if (!found) return [`${res.method} ${res.path} is not an operation of the spec`];
    const { op } = found;
    const where = `${op.method} ${op.template} ${res.status}`;
    let documented = op.responses[String(res.status)] ?? op.responses.default;
    if (!documented) {
      // Error answers are undocumented (Woodpecker) or header-only (Gitea): tests assert them by hand.
      if (res.status >= 400 || this.#undocumented.has(where)) return [];
      return [`${where}: the spec documents no such status (${Object.keys(op.responses).join(", ")})`];
    }
    const ref = documented.$ref;
    if (typeof ref === "string" && ref.startsWith("#/responses/")) {
      documented = this.#responses[ref.slice("#/responses/".length)] ?? {};
    }
    const schema = documented.schema as JsonObject | undefined;
    if (!schema) return [];
    if (res.body === undefined) return [`${where}: the spec documents a body and there is none`];
    return this.#validate(where, schema, res.body).map((p) => `${where}: ${p}`);
  }

  #validate(key: string, schema: JsonObject, value: unknown): string[] {
    let validate = this.#validators.get(key);
    if (!validate) {
      validate = this.#ajv.compile(rebase(schema) as JsonObject);
      this.#validators.set(key, validate);
    }
    if (validate(value)) return [];
    return (validate.errors ?? []).slice(0, 5).map((e) => `${e.instancePath || "/"} ${e.message}`);
  }
}

const loaded = new Map<string, SwaggerContract>();
/** One checker per spec and process: compiled schemas are reused by every fake. */
function once(key: string, make: () => SwaggerContract): SwaggerContract {
  let c = loaded.get(key);
  if (!c) {
    c = make();
    loaded.set(key, c);
  }
  return c;
}

/** Gitea 1.27.1 or Forgejo 16.0.1, with the patches both need. */
export function giteaContract(flavor: "gitea" | "forgejo"): SwaggerContract {
  return once(
    flavor,
    () =>
      new SwaggerContract(flavor === "gitea" ? "gitea-1.27.1.swagger.json" : "forgejo-16.0.1.swagger.json", {
        wildcards: ["filepath"],
      }),
  );
}

/** Woodpecker 3.17.0: `LogEntry.data` is a base64 string; a filtered manual pipeline answers 204. */
export function woodpeckerContract(): SwaggerContract {
  return once(
    "woodpecker",
    () =>
      new SwaggerContract(
        "woodpecker-3.17.0.swagger.json",
        { wildcards: ["repo_full_name"], undocumented: ["POST /repos/{repo_id}/pipelines 204"] },
        (definitions) => {
          const entry = definitions.LogEntry as JsonObject;
          (entry.properties as JsonObject).data = { type: ["string", "null"] };
        },
      ),
  );
}
