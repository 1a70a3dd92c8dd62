import type { AnswerDelivery } from "./answer.js";
import type { Block, SlackApi } from "./slack-api.js";
import { classifySlackFailure } from "./slack-failure.js";

/** Where a message reached the person: the run's thread, the slash command's response_url, a DM, or nobody. */
export type Route = "thread" | "response_url" | "dm" | "none";

export type Message = { text: string; blocks: Block[] };

/** One place a message can go: the run's thread, the slash command's response_url, a DM. */
export interface Destination {
  route: Route;
  post(message: Message): Promise<void>;
  /** Absent where no file can go (a response_url). */
  upload?(file: { filename: string; content: string; comment: string }): Promise<void>;
}

/** `lead` blocks first in the first message (a notice saying why the message came this way). */
function withLead(message: Message, lead: Block[] | undefined): Message {
  return lead ? { text: message.text, blocks: [...lead, ...message.blocks] } : message;
}

/**
 * Send a planned answer to one destination. A message Slack refuses as a message (too long,
 * blocks refused) is attached as a file where files can go. Throws when the destination refused
 * for good (the calls behind `dest` have already retried).
 */
export async function sendPlan(dest: Destination, plan: AnswerDelivery, fullText: string, lead?: Block[]) {
  if (plan.kind === "file") {
    await dest.post(withLead(plan.preview, lead));
    await dest.upload?.({ filename: plan.filename, content: plan.content, comment: "The full answer" });
    return;
  }
  for (const [i, part] of plan.parts.entries()) {
    try {
      await dest.post(withLead(part, i === 0 ? lead : undefined));
    } catch (err) {
      if (classifySlackFailure(err).kind !== "refused_message" || !dest.upload || !fullText) throw err;
      await dest.upload({ filename: "answer.md", content: fullText, comment: "The agent's answer" });
      return;
    }
  }
}

/** The run's thread (or any conversation) through the Web API. */
export function conversation(api: SlackApi, channel: string, threadTs?: string): Destination {
  return {
    route: threadTs ? "thread" : "dm",
    post: async (m) => void (await api.postMessage({ channel, threadTs, ...m })),
    upload: (f) => api.uploadFile({ channel, threadTs, ...f }),
  };
}
