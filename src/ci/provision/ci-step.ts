import { CodethreadError } from "../../errors.js";
import { updateProject } from "../../store/projects.js";
import type { CIProvider, CiRepo } from "../ci-provider.js";
import { ErrCiStaleRepo, ErrCiVersionUnsupported } from "../errors.js";
import type { ForgeRepo } from "../forge.js";
import { ErrServiceUnreachable, ErrTokenRefused, ErrTokenScope } from "../service-errors.js";
import type { ProvisionContext } from "./context.js";
import type { StepReport } from "./report.js";

export type CiStepResult = { ok: true; repo: CiRepo; report: StepReport } | { ok: false; report: StepReport };

/** Failures a person fixes in configuration, not by activating by hand. */
const configProblem = (err: unknown): boolean =>
  err instanceof ErrCiVersionUnsupported ||
  err instanceof ErrTokenRefused ||
  err instanceof ErrTokenScope ||
  err instanceof ErrServiceUnreachable;

/**
 * Step 2: the repository is active in Woodpecker. Found active for this forge repository, or
 * "already active", is done. Refusals (not an admin, the forge failed, a stale entry) keep the
 * repository and become a manual step with the exact instruction.
 */
export async function ensureCiActive(ctx: ProvisionContext, ci: CIProvider, repo: ForgeRepo): Promise<CiStepResult> {
  const name = ctx.project.name;
  try {
    const found = await ci.lookupRepo(repo.fullName);
    let active: CiRepo;
    let text: string;
    if (found?.active && found.forgeRemoteId === String(repo.id)) {
      active = found;
      text = `${repo.fullName} is active (already)`;
    } else {
      const result = await ci.activateRepo(repo.id);
      active = result.repo;
      text = result.kind === "activated" ? `${repo.fullName} activated` : `${repo.fullName} is active (already)`;
    }
    await updateProject(ctx.db, name, { ciRepoId: active.id, ciUrl: active.url });
    ctx.project.ciRepoId = active.id;
    ctx.project.ciUrl = active.url;
    return {
      ok: true,
      repo: active,
      report: { step: "ci", state: "done", text, link: { url: active.url, label: "Woodpecker" } },
    };
  } catch (err) {
    if (!(err instanceof CodethreadError)) throw err;
    ctx.log.warn({ project: name, code: err.code, context: err.context }, "CI activation did not succeed");
    if (configProblem(err)) return { ok: false, report: { step: "ci", state: "failed", text: err.message } };
    const manual =
      err instanceof ErrCiStaleRepo
        ? err.message
        : `Activate ${repo.fullName} in Woodpecker by hand: open ${ci.addRepoUrl()} and enable it (the bot's Woodpecker user must be an admin of the repository), then run \`project new ${name}\` again to finish.`;
    return {
      ok: false,
      report: {
        step: "ci",
        state: "manual",
        text: `Woodpecker did not activate ${repo.fullName}: ${err.message}`,
        manual,
        link: { url: ci.addRepoUrl(), label: "Add repository" },
      },
    };
  }
}

/** Step 3: the configured credentials are the repository's CI secrets (created or updated). */
export async function ensureCiSecrets(ctx: ProvisionContext, ci: CIProvider, repo: CiRepo): Promise<StepReport> {
  const names = ctx.config.forge.projectSecrets;
  if (!names.length)
    return { step: "secrets", state: "done", text: "none to set (CODETHREAD_PROJECT_SECRETS is empty)" };
  if (!ctx.credentials) {
    return {
      step: "secrets",
      state: "failed",
      text: "CODETHREAD_PROJECT_SECRETS names credentials, but CODETHREAD_SECRET_KEY is not set, so the credential store cannot be read.",
    };
  }
  const set: string[] = [];
  for (const name of names) {
    const value = await ctx.credentials.get(name);
    if (!value) {
      return {
        step: "secrets",
        state: "failed",
        text: `${name} is not in the credential store: store it (printf %s "$VALUE" | codethread secrets set ${name}) and run this again.`,
      };
    }
    const secretName = name.toLowerCase();
    await ci.upsertSecret(repo.id, { name: secretName, value, events: ["push", "manual"] });
    set.push(secretName);
  }
  return { step: "secrets", state: "done", text: `${set.join(", ")} set for push and manual pipelines` };
}
