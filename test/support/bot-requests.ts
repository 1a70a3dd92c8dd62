import type { FakeSlack, StoredMessage } from "./fake-slack.js";
import { Alice, Channel, SigningSecret } from "./slack-harness.js";
import { eventBody, nextTs, signedPost, slashForm } from "./slack-signing.js";

/**
 * Requests sent to bot processes of the fault suite (bot-processes.ts) the way Slack sends them —
 * signed slash commands and app mentions carrying a TestAgent script and a tag — and what their
 * senders can see afterwards in the fake Slack: the run card, its final state, the replies.
 */
export type BotRequest =
  | { kind: "slash"; tag: string; responseId: string; status: number }
  | { kind: "mention"; tag: string; ts: string; status: number };

/** A run card's text once the run ended. */
export const FinalCard = /^(Done|Failed|Cancelled|Timed out|Interrupted):/;
const NotTaken = /could not take this request/;

/** An ack's HTTP status, 0 when the connection was refused (Slack would show the person an error). */
const statusOf = (ack: Promise<{ status: number }>): Promise<number> =>
  ack.then(
    (r) => r.status,
    () => 0,
  );

/** Post a slash command to the bot at `eventsUrl`; `status` is Slack's view of the ack (200: accepted). */
export async function sendSlash(fake: FakeSlack, eventsUrl: string, tag: string, script: object): Promise<BotRequest> {
  const responseId = `cmd-${tag}`;
  const form = slashForm({ text: JSON.stringify({ ...script, tag }), response_url: fake.responseUrl(responseId) });
  const status = await statusOf(
    signedPost(eventsUrl, form, { secret: SigningSecret, contentType: "application/x-www-form-urlencoded" }),
  );
  return { kind: "slash", tag, responseId, status };
}

/** Post an app mention in the channel (a new thread) to the bot at `eventsUrl`. */
export async function sendMention(
  fake: FakeSlack,
  eventsUrl: string,
  tag: string,
  script: object,
): Promise<BotRequest> {
  const ts = nextTs();
  const body = eventBody("event.app_mention.json", {
    text: `<@${fake.botUserId}> ${JSON.stringify({ ...script, tag })}`,
    ts,
    event_ts: ts,
    user: Alice,
    channel: Channel,
  });
  const status = await statusOf(
    signedPost(eventsUrl, body, { secret: SigningSecret, contentType: "application/json" }),
  );
  return { kind: "mention", tag, ts, status };
}

/** The run cards posted for a request (exactly one is expected). */
export function cardsOf(fake: FakeSlack, r: BotRequest): StoredMessage[] {
  return fake.messages.filter(
    (m) =>
      m.user === fake.botUserId &&
      m.channel === Channel &&
      (r.kind === "slash" ? !m.threadTs : m.threadTs === r.ts) &&
      /asked:/.test(JSON.stringify(m.blocks ?? "")) &&
      JSON.stringify(m.blocks ?? "").includes(`\\"tag\\":\\"${r.tag}\\"`),
  );
}

/** The thread a request's run reports in: the card's own (slash) or the mention's. */
export function threadOf(r: BotRequest, card: StoredMessage): string {
  return r.kind === "slash" ? card.ts : r.ts;
}

/** The bot's messages in the request's thread after its card (answers and notices). */
export function repliesOf(fake: FakeSlack, r: BotRequest): StoredMessage[] {
  const [card] = cardsOf(fake, r);
  if (!card) return [];
  return fake.thread(Channel, threadOf(r, card)).filter((m) => m.ts > card.ts && m.user === fake.botUserId);
}

/** Told the request was not taken: ephemeral through response_url (slash) or in the thread (mention). */
export function toldNotTaken(fake: FakeSlack, r: BotRequest): boolean {
  return r.kind === "slash"
    ? fake.responses.some((x) => x.path.endsWith(`/${r.responseId}`) && NotTaken.test(String(x.body.text)))
    : fake
        .callsOf("chat.postEphemeral")
        .some((c) => c.params.thread_ts === r.ts && c.params.user === Alice && NotTaken.test(String(c.params.text)));
}

/** The final text of the request's card, if it has one. */
export function finalTextOf(fake: FakeSlack, r: BotRequest): string | undefined {
  const [card] = cardsOf(fake, r);
  return card ? fake.message(Channel, card.ts)?.text : undefined;
}

/** A final state the requester can see: a finished card with a reply under it, or "not taken". */
export function visiblyDone(fake: FakeSlack, r: BotRequest): boolean {
  if (!cardsOf(fake, r).length) return toldNotTaken(fake, r);
  return FinalCard.test(finalTextOf(fake, r) ?? "") && repliesOf(fake, r).length > 0;
}
