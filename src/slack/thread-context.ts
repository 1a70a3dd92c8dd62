import type { SlackApi, ThreadMessage } from "./slack-api.js";

/** Default bound of the history handed to the agent. */
export const DefaultMaxContextChars = 20_000;

/**
 * "Who said what" in a thread before the message that mentioned the bot, oldest first, as
 * `<@U123>: text` lines. Our own posts and the mention itself are left out; the oldest lines
 * are dropped first when the history is longer than `maxChars`.
 */
export function formatThreadContext(
  messages: ThreadMessage[],
  opts: { beforeTs: string; botUserId?: string; maxChars?: number },
): string | undefined {
  const max = opts.maxChars ?? DefaultMaxContextChars;
  const lines = messages
    .filter((m) => Number(m.ts) < Number(opts.beforeTs))
    .filter((m) => !(opts.botUserId && m.user === opts.botUserId))
    .filter((m) => m.text.trim() !== "")
    .map((m) => `${m.user ? `<@${m.user}>` : m.botId ? `bot ${m.botId}` : "someone"}: ${m.text.trim()}`);
  const kept: string[] = [];
  let size = 0;
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!;
    if (size + line.length + 1 > max) break;
    kept.unshift(line);
    size += line.length + 1;
  }
  return kept.length ? kept.join("\n") : undefined;
}

/** Fetch a thread's earlier messages (one conversations.replies call, up to 200 messages). */
export async function fetchThreadContext(
  api: SlackApi,
  ref: { channel: string; threadTs: string; beforeTs: string; botUserId?: string; maxChars?: number },
): Promise<string | undefined> {
  const messages = await api.replies({ channel: ref.channel, ts: ref.threadTs, limit: 200 });
  return formatThreadContext(messages, ref);
}
