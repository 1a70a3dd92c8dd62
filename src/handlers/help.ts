/** `/agent help` text (mrkdwn). */
export function helpText(agents: string[]): string {
  return [
    "*Run a coding agent from Slack*",
    "• `/agent fix the failing test` — start a run; its card's thread is the session.",
    "• `/agent agent=opencode project=web add a README` — choose the agent and project (options go before the prompt).",
    "• `@codethread <prompt>` in a channel or a DM — start a run in that message's thread; inside a discussion, the earlier messages go to the agent as context.",
    "• Reply in a run's thread to continue the same session (a reply during a run waits its turn).",
    "• *Cancel* on the card stops a run (the requester or an admin); *Approve* / *Deny* answer the agent's permission requests.",
    "• `/agent status` — agents and queued or running runs.",
    `Agents here: ${agents.length ? agents.map((a) => `\`${a}\``).join(", ") : "none registered"}.`,
  ].join("\n");
}
