import type { AckFn, RespondArguments, RespondFn } from "@slack/bolt";
import { neutralizeBroadcasts } from "./broadcasts.js";

export interface SlashReply {
  /** Acknowledge without text (before slow work). Idempotent. */
  ack(): Promise<void>;
  /** An ephemeral answer: in the ack when it has not been sent yet, else through response_url. */
  respond(text: string): Promise<void>;
}

/**
 * How a slash command answers the person who typed it. Slack shows the ack body and response_url
 * posts like any message, so their text goes through the same broadcast neutralization as the Web
 * API wrapper (src/slack/broadcasts.ts).
 */
export function slashReply(ack: AckFn<string | RespondArguments>, respond: RespondFn): SlashReply {
  let acked = false;
  return {
    async ack() {
      if (acked) return;
      acked = true;
      await ack();
    },
    async respond(text: string) {
      const body = { response_type: "ephemeral" as const, text: neutralizeBroadcasts(text) };
      if (!acked) {
        acked = true;
        await ack(body);
        return;
      }
      await respond(body);
    },
  };
}
