import { formatUsd } from "../text.js";
import type { AgentResult } from "./events.js";

/** The stable code of a run stopped by its cost budget (AgentResult.errorCode, audit records). */
export const BudgetExceeded = "budget_exceeded";

/** What a person reads when a run was stopped by its budget (the card's note, the answer's footer). */
export function budgetStopText(maxCostUsd: number | undefined): string {
  const what = maxCostUsd === undefined ? "the cost budget was" : `budget of ${formatUsd(maxCostUsd)}`;
  return `Stopped: ${what} reached — reply to continue.`;
}

/** The outcome, code and words of a run its budget stopped, for every provider. */
export function budgetExceeded(maxCostUsd: number | undefined): Pick<AgentResult, "outcome" | "error" | "errorCode"> {
  return { outcome: "budget_exceeded", errorCode: BudgetExceeded, error: budgetStopText(maxCostUsd) };
}

/** True once a run that has cost `costUsd` so far may not go on (`maxCostUsd` absent: never). */
export function overBudget(costUsd: number | undefined, maxCostUsd: number | undefined): boolean {
  return maxCostUsd !== undefined && costUsd !== undefined && costUsd >= maxCostUsd;
}
