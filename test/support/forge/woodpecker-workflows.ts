import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";

/**
 * Which workflows of a checked-out repository a manual pipeline runs, as Woodpecker decides: the
 * files of `.woodpecker/` (else `.woodpecker.yaml|yml`), each kept when its `when` admits the
 * `manual` event (no `when`, or any condition without `event`, admits every event).
 */
export interface WorkflowPlan {
  name: string;
  steps: string[];
}

function admitsManual(when: unknown): boolean {
  if (when === undefined || when === null) return true;
  const conditions = Array.isArray(when) ? when : [when];
  return conditions.some((c) => {
    if (!c || typeof c !== "object" || !("event" in c)) return true;
    const event = (c as { event: unknown }).event;
    return Array.isArray(event) ? event.includes("manual") : event === "manual";
  });
}

function stepNames(steps: unknown): string[] {
  if (Array.isArray(steps)) return steps.map((s, i) => String((s as { name?: string }).name ?? `step-${i}`));
  if (steps && typeof steps === "object") return Object.keys(steps);
  return [];
}

export function manualWorkflows(checkout: string): WorkflowPlan[] {
  const dir = path.join(checkout, ".woodpecker");
  let files: { name: string; file: string }[] = [];
  try {
    files = readdirSync(dir)
      .filter((f) => /\.ya?ml$/.test(f))
      .sort()
      .map((f) => ({ name: f.replace(/\.ya?ml$/, ""), file: path.join(dir, f) }));
  } catch {
    for (const f of [".woodpecker.yaml", ".woodpecker.yml"]) {
      try {
        readFileSync(path.join(checkout, f));
        files = [{ name: "woodpecker", file: path.join(checkout, f) }];
        break;
      } catch {
        // not there
      }
    }
  }
  const plans: WorkflowPlan[] = [];
  for (const { name, file } of files) {
    const doc = parse(readFileSync(file, "utf8")) as { when?: unknown; steps?: unknown } | null;
    if (!doc || !admitsManual(doc.when)) continue;
    plans.push({ name, steps: stepNames(doc.steps) });
  }
  return plans;
}
