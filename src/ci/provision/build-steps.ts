import { updateProject } from "../../store/projects.js";
import { failingStepTail, watchPipeline } from "../build-watch.js";
import type { CIProvider, CiRepo } from "../ci-provider.js";
import type { ProvisionContext } from "./context.js";
import type { StepReport } from "./report.js";

/**
 * Steps 4 and 5: a manual first pipeline (the template's commit landed before Woodpecker's webhook
 * existed, so no push build ran), triggered once per project, then its result. A re-run watches
 * the recorded pipeline instead of starting another.
 */
export async function firstBuild(ctx: ProvisionContext, ci: CIProvider, repo: CiRepo): Promise<void> {
  const branch = ctx.project.defaultBranch;
  let number = ctx.project.firstBuild;
  if (number === null) {
    const started = await ci.triggerBuild(repo.id, branch);
    if (started.kind === "filtered") {
      await ctx.report({
        step: "first_build",
        state: "manual",
        text: `Woodpecker ran no workflow for a manual pipeline on ${branch}`,
        manual:
          "Make a workflow in .woodpecker/ run on `event: manual` (the built-in templates do), then start a build with `/agent build`.",
      });
      await ctx.report({ step: "build_result", state: "skipped", text: "no pipeline" });
      return;
    }
    number = started.pipeline.number;
    await updateProject(ctx.db, ctx.project.name, { firstBuild: number });
    ctx.project.firstBuild = number;
  }
  const url = `${repo.url}/pipeline/${number}`;
  await ctx.report({
    step: "first_build",
    state: "done",
    text: `pipeline #${number} on ${branch}`,
    link: { url, label: `#${number}` },
  });
  await ctx.report({
    step: "build_result",
    state: "running",
    text: `waiting for pipeline #${number}`,
    link: { url, label: `#${number}` },
  });
  const watched = await watchPipeline(ci, repo.id, number, {
    ...ctx.watch,
    deadlineMs: ctx.watch?.deadlineMs ?? ctx.config.forge.buildTimeoutMs,
    signal: ctx.signal,
  });
  await ctx.report(await resultReport(ctx, ci, repo, watched));
}

async function resultReport(
  ctx: ProvisionContext,
  ci: CIProvider,
  repo: CiRepo,
  watched: Awaited<ReturnType<typeof watchPipeline>>,
): Promise<StepReport> {
  const p = watched.pipeline;
  const link = { url: p.url, label: `#${p.number}` };
  if (watched.kind !== "finished") {
    return {
      step: "build_result",
      state: "manual",
      text: `pipeline #${p.number} is still ${p.status}`,
      manual: `Check it in Woodpecker (is an agent running?); \`/agent build ${ctx.project.name}\` starts another.`,
      link,
    };
  }
  if (p.status === "success")
    return { step: "build_result", state: "done", text: `pipeline #${p.number} passed`, link };
  const tail = await failingStepTail(ci, repo.id, p, ctx.redactor);
  return {
    step: "build_result",
    state: "failed",
    text: tail
      ? `pipeline #${p.number} ${p.status} at step ${tail.step} (${tail.workflow})`
      : `pipeline #${p.number} ${p.status}${p.errors.length ? `: ${ctx.redactor.redact(p.errors.join("; "))}` : ""}`,
    link,
    detail: tail?.lines,
  };
}
