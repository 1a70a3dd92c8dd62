import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { z } from "zod";
import { loadConfig } from "../../src/config.js";
import { ShutdownTailMs } from "../../src/ops/shutdown.js";

const K8sObject = z.looseObject({
  kind: z.string(),
  metadata: z.looseObject({ name: z.string(), namespace: z.string().optional() }),
});
type K8sObject = z.infer<typeof K8sObject> & Record<string, unknown>;

/** The example overlay as `kubectl kustomize` renders it (kubectl's built-in kustomize). */
function render(dir: string): K8sObject[] {
  const out = execFileSync("kubectl", ["kustomize", dir], { encoding: "utf8" });
  return parseAllDocuments(out).map((d) => K8sObject.parse(d.toJS()) as K8sObject);
}

const objects = render("deploy/overlays/example");
const one = (kind: string, name?: string) => {
  const found = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  expect(found, `${kind} ${name ?? ""}`).toHaveLength(1);
  return found[0] as K8sObject;
};

/** The value at a dotted path (`spec.template.spec.containers.0.image`), or undefined. */
function get(value: unknown, path: string): unknown {
  return path
    .split(".")
    .reduce<unknown>((v, key) => (v && typeof v === "object" ? (v as Record<string, unknown>)[key] : undefined), value);
}

describe("deploy/ (kustomize)", () => {
  it("renders the bot, its Service, RBAC, a PDB and a workspace in one namespace", () => {
    expect(objects.map((o) => o.kind).sort()).toEqual(
      [
        "ConfigMap",
        "Deployment",
        "PodDisruptionBudget",
        "Role",
        "RoleBinding",
        "Service",
        "ServiceAccount",
        "StatefulSet",
      ].sort(),
    );
    for (const o of objects) expect(o.metadata.namespace, `${o.kind}/${o.metadata.name}`).toBe("codethread");
  });

  it("runs two replicas with readiness and liveness probes, resources and config from a ConfigMap and a Secret", () => {
    const d = one("Deployment", "codethread");
    expect(get(d, "spec.replicas")).toBe(2);
    const c = get(d, "spec.template.spec.containers.0");
    expect(get(c, "readinessProbe.httpGet.path")).toBe("/readyz");
    expect(get(c, "livenessProbe.httpGet.path")).toBe("/healthz");
    expect(get(c, "resources.requests")).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
    expect(get(c, "envFrom")).toEqual([
      { configMapRef: { name: "codethread-config" } },
      { secretRef: { name: "codethread" } },
    ]);
    expect(get(d, "spec.template.spec.securityContext.runAsNonRoot")).toBe(true);
    expect(get(d, "spec.template.spec.serviceAccountName")).toBe("codethread");
    expect(get(c, "image")).toBe("registry.example.com/codethread:0.1.0");
  });

  it("gives a stopping pod the drain grace the bot is configured with, plus the shutdown tail", () => {
    const d = one("Deployment", "codethread");
    const data = get(one("ConfigMap", "codethread-config"), "data") as Record<string, string>;
    // The ConfigMap's settings as the bot reads them (the same validation, so an invalid value fails here).
    const { shutdown } = loadConfig(data, "/");
    expect(shutdown.drainDelayMs).toBeGreaterThan(0); // the Service has time to stop routing here
    const terminationMs = Number(get(d, "spec.template.spec.terminationGracePeriodSeconds")) * 1000;
    expect(terminationMs).toBeGreaterThanOrEqual(shutdown.graceMs + ShutdownTailMs);
    // Two replicas, at most one away at a time: a rollout surges one new pod before it stops an old one.
    expect(get(d, "spec.strategy.rollingUpdate")).toEqual({ maxUnavailable: 0, maxSurge: 1 });
  });

  it("allows exactly pods get/list and pods/exec create", () => {
    const role = one("Role");
    const rules = (get(role, "rules") as { resources: string[]; verbs: string[]; apiGroups: string[] }[]).flatMap((r) =>
      r.resources.flatMap((res) => r.verbs.map((v) => `${r.apiGroups.join(",")}|${res}|${v}`)),
    );
    expect(rules.sort()).toEqual(["|pods/exec|create", "|pods|get", "|pods|list"]);
    const binding = one("RoleBinding");
    expect(get(binding, "roleRef.name")).toBe(role.metadata.name);
    expect(get(binding, "subjects")).toEqual([{ kind: "ServiceAccount", name: "codethread", namespace: "codethread" }]);
  });

  it("points the bot at the workspace pod the overlay defines", () => {
    const config = get(one("ConfigMap", "codethread-config"), "data") as Record<string, string>;
    const ws = one("StatefulSet");
    expect(config.CODETHREAD_K8S_POD).toBe(`${ws.metadata.name}-0`);
    expect(config.CODETHREAD_K8S_CONTAINER).toBe(get(ws, "spec.template.spec.containers.0.name"));
    expect(get(one("PodDisruptionBudget"), "spec.minAvailable")).toBe(1);
  });

  it("holds no secret values in plain manifests", () => {
    expect(objects.some((o) => o.kind === "Secret")).toBe(false);
    const config = get(one("ConfigMap", "codethread-config"), "data") as Record<string, string>;
    for (const name of Object.keys(config)) expect(name).not.toMatch(/TOKEN|SECRET|PASSWORD|DATABASE_URL|_KEY$/);
    const text = JSON.stringify(objects);
    expect(text).not.toMatch(/xox[abp]-|xapp-|sk-ant-|postgres(ql)?:\/\/\w+:\w+@/);
  });
});
