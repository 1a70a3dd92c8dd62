import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { FakeResponse } from "./contract-server.js";
import { git } from "./git.js";
import { pipelineJson, type WPipeline, type WRepo, type WStep } from "./woodpecker-json.js";
import { manualWorkflows } from "./woodpecker-workflows.js";

/** How a pipeline the fake runs ends. */
export type PipelineScript =
  | { status: "success"; logs?: Record<string, string[]> }
  | { status: "failure"; step: string; log: string[] };

/**
 * POST /repos/{id}/pipelines as Woodpecker answers it: clone the branch over real git (a missing
 * branch or an empty repository: 500 with no body), plan the workflows that admit `manual` (none:
 * 204 + `Pipeline-Filtered: true`), and record a pending pipeline with a clone step first.
 */
export async function startPipeline(input: {
  repo: WRepo;
  pipelines: WPipeline[];
  body: Record<string, unknown>;
  forgeToken: string;
  author: string;
  nextId: () => number;
}): Promise<FakeResponse> {
  const { repo, pipelines, body, nextId } = input;
  const branch = String(body.branch ?? "");
  const checkout = mkdtempSync(path.join(tmpdir(), "fake-woodpecker-"));
  try {
    try {
      await git([
        "-c",
        `http.extraHeader=Authorization: token ${input.forgeToken}`,
        "clone",
        "--quiet",
        "--depth",
        "1",
        "--branch",
        branch,
        repo.cloneUrl,
        checkout,
      ]);
    } catch {
      return { status: 500, text: "" }; // "could not fetch branch head"
    }
    const plans = manualWorkflows(checkout);
    if (!plans.length) return { status: 204, headers: { "Pipeline-Filtered": "true" } };
    const commit = (await git(["rev-parse", "HEAD"], { cwd: checkout })).toString().trim();
    let pid = 1;
    const pipeline: WPipeline = {
      id: nextId(),
      number: pipelines.length + 1,
      branch,
      commit,
      author: input.author,
      status: "pending",
      variables: (body.variables ?? {}) as Record<string, string>,
      created: Math.floor(Date.now() / 1000),
      started: 0,
      finished: 0,
      polls: 0,
      workflows: plans.map((plan) => ({
        id: nextId(),
        pid: pid++,
        name: plan.name,
        state: "pending",
        steps: ["clone", ...plan.steps].map(
          (name, i): WStep => ({
            id: nextId(),
            pid: pid++,
            name,
            type: i === 0 ? "clone" : "commands",
            state: "pending",
            exitCode: 0,
            log: i === 0 ? ["+ git init", `+ git fetch origin ${branch}`, `+ git checkout ${commit}`] : [`+ ${name}`],
          }),
        ),
      })),
    };
    pipelines.push(pipeline);
    return { status: 200, json: pipelineJson(repo, pipeline, true) };
  } finally {
    rmSync(checkout, { recursive: true, force: true });
  }
}

/** One status poll: running until `pollsUntilDone` polls, then finished as `script` says. */
export function advancePipeline(p: WPipeline, script: PipelineScript, pollsUntilDone: number): void {
  if (p.status === "success" || p.status === "failure") return;
  p.polls++;
  p.started ||= Math.floor(Date.now() / 1000);
  const steps = p.workflows.flatMap((w) => w.steps);
  if (p.polls < pollsUntilDone) {
    p.status = "running";
    for (const w of p.workflows) w.state = "running";
    steps[0]!.state = "success";
    for (const s of steps.slice(1)) s.state = "running";
    return;
  }
  let failed = false;
  for (const w of p.workflows) {
    for (const s of w.steps) {
      if (failed) s.state = "skipped";
      else if (script.status === "failure" && s.name === script.step) {
        s.state = "failure";
        s.exitCode = 1;
        s.log = [...s.log, ...script.log];
        failed = true;
      } else {
        s.state = "success";
        if (script.status === "success" && script.logs?.[s.name]) s.log = [...s.log, ...script.logs[s.name]!];
      }
    }
    w.state = w.steps.some((s) => s.state === "failure") ? "failure" : "success";
  }
  p.status = failed ? "failure" : "success";
  p.finished = Math.floor(Date.now() / 1000);
}
