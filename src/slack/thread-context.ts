import { decodeSlackText, unnamedUserMentions } from "./incoming-text.js";
import type { SlackApi, ThreadMessage } from "./slack-api.js";
import type { UserNames } from "./user-names.js";

/** Most distinct people one context names through users.info (the rest read `@U123`). */
export const MaxNamedPeople = 50;

/** Default bound of the history handed to the agent. */
export const DefaultMaxContextChars = 20_000;

/**
 * "Who said what" in a thread before the message that mentioned the bot, oldest first, as
 * `@alice: text` lines (Slack markup decoded, people named from `names`, else `@U123`). Our own
 * posts (by our bot user, or by our bot id) and the mention itself are left out; the oldest lines
 * are dropped first when the history is longer than `maxChars`. The worker frames it for the agent
 * as background from other people, not instructions (`promptWithContext`).
 */
export function formatThreadContext(
  messages: ThreadMessage[],
  opts: {
    beforeTs: string;
    botUserId?: string;
    botId?: string;
    maxChars?: number;
    names?: ReadonlyMap<string, string>;
  },
): string | undefined {
  const names = opts.names ?? new Map<string, string>();
  const max = opts.maxChars ?? DefaultMaxContextChars;
  const lines = messages
    .filter((m) => Number(m.ts) < Number(opts.beforeTs))
    .filter((m) => !(opts.botUserId && m.user === opts.botUserId) && !(opts.botId && m.botId === opts.botId))
    .filter((m) => m.text.trim() !== "")
    .map((m) => {
      const who = m.user ? `@${names.get(m.user) ?? m.user}` : m.botId ? `bot ${m.botId}` : "someone";
      return `${who}: ${decodeSlackText(m.text, names).trim()}`;
    });
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

/**
 * Fetch a thread's earlier messages (one conversations.replies call, up to 200 messages); the
 * people who wrote or are mentioned are named through `users` (cached users.info) when given.
 */
export async function fetchThreadContext(
  api: SlackApi,
  ref: {
    channel: string;
    threadTs: string;
    beforeTs: string;
    botUserId?: string;
    botId?: string;
    maxChars?: number;
    users?: UserNames;
  },
): Promise<string | undefined> {
  const messages = await api.replies({ channel: ref.channel, ts: ref.threadTs, limit: 200 });
  const ids = messages
    .filter((m) => Number(m.ts) < Number(ref.beforeTs) && m.user !== ref.botUserId)
    .flatMap((m) => [...(m.user ? [m.user] : []), ...unnamedUserMentions(m.text)]);
  const names = ref.users ? await ref.users.namesOf([...new Set(ids)].slice(0, MaxNamedPeople)) : undefined;
  return formatThreadContext(messages, { ...ref, names });
}
