import { userRunCost } from "../store/run-costs.js";
import { formatUsd } from "../text.js";
import type { HandlerDeps } from "./deps.js";

/** A refusal for the person who asked (ephemeral): nothing was posted or queued. */
export interface Refusal {
  code: string;
  message: string;
}

/**
 * `model=NAME` for the provider the run goes to: refused, with the forms it accepts, unless its
 * descriptor accepts the name (a provider without model names takes no model choice).
 */
export function checkModel(deps: Pick<HandlerDeps, "registry">, provider: string, model: string): Refusal | undefined {
  const names = deps.registry.models(provider);
  if (!names) {
    return {
      code: "model_not_supported",
      message: `\`${provider}\` does not take a model choice here; leave \`model=\` out to use its default.`,
    };
  }
  if (names.accepts(model)) return undefined;
  return {
    code: "unknown_model",
    message: `\`model=${model}\` is not a model name \`${provider}\` accepts. Use ${names.forms}.`,
  };
}

/**
 * The per-person daily budget (CODETHREAD_USER_DAILY_BUDGET_USD): the recorded costs of their runs
 * in the last 24 hours. At or over it, no new run is queued, and they are told how much they used.
 */
export async function checkDailyBudget(
  deps: Pick<HandlerDeps, "db" | "userDailyBudgetUsd">,
  userId: string,
): Promise<Refusal | undefined> {
  const budget = deps.userDailyBudgetUsd;
  if (budget === undefined) return undefined;
  const spent = await userRunCost(deps.db, userId);
  if (spent < budget) return undefined;
  return {
    code: "daily_budget_exceeded",
    message: `Your runs cost ${formatUsd(spent)} in the last 24 hours, which reaches your daily budget of ${formatUsd(budget)}, so no new run was started. It frees up as older runs leave the 24-hour window; an admin can raise CODETHREAD_USER_DAILY_BUDGET_USD.`,
  };
}
