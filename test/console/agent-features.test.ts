import { webApi } from "@slack/bolt";
import { afterEach, describe, expect, it } from "vitest";
import { SlackWebApi } from "../../src/console/slack-web-api.js";
import { Secret } from "../../src/secret.js";
import { ErrAttachmentDownload, ErrSlackApi } from "../../src/slack/errors.js";
import { WebNativeSlackApi } from "../../src/slack/native-api.js";

/**
 * The stand-in's agent features and files, through the bot's own client (WebNativeSlackApi over
 * @slack/web-api, which sends `chunks` form-encoded as JSON, as the notes verified): agent session
 * status, streamed messages, a message's files and their url_private downloads, each answered both
 * ways — offered and refused.
 */
let api: SlackWebApi | undefined;
afterEach(() => api?.stop());

async function start(agentFeatures: "available" | "refused" | "warn") {
  api = await new SlackWebApi({ agentFeatures }).start();
  const token = new Secret("xoxb-test");
  const client = new webApi.WebClient(token.reveal(), { slackApiUrl: api.apiUrl, retryConfig: { retries: 0 } });
  return { api, native: new WebNativeSlackApi(client, token, api.apiUrl) };
}

describe("agent sessions and streams on the stand-in", () => {
  it("keeps a session's title from its creation and its latest status", async () => {
    const { api, native } = await start("available");
    const root = api.addMessage({ channel: "C1", user: "U1", text: "fix it" });
    expect(
      await native.setAgentStatus({
        channel: "C1",
        threadTs: root.ts,
        status: "processing",
        title: "fix it",
        initiatorUserId: "U1",
      }),
    ).toEqual({ warning: undefined });
    await native.setAgentStatus({ channel: "C1", threadTs: root.ts, status: "active", title: "ignored" });
    expect(api.workspace.agentSessions.get(`C1:${root.ts}`)).toMatchObject({
      status: "active",
      title: "fix it",
      initiator: "U1",
    });
  });

  it("assembles a stream's chunks in order, keeps task updates per id, and ends it on stop", async () => {
    const { api, native } = await start("available");
    const root = api.addMessage({ channel: "C1", user: "U1", text: "explain" });
    const { ts } = await native.startStream({
      channel: "C1",
      threadTs: root.ts,
      recipientUserId: "U1",
      recipientTeamId: api.teamId,
      chunks: [
        { type: "markdown_text", text: "Hello " },
        { type: "task_update", id: "t1", title: "Ran ls", status: "in_progress" },
      ],
    });
    expect(api.message("C1", ts)).toMatchObject({ streaming: true, text: "Hello ", threadTs: root.ts });
    await native.appendStream({
      channel: "C1",
      ts,
      chunks: [
        { type: "markdown_text", text: "world" },
        { type: "task_update", id: "t1", title: "Ran ls", status: "complete" },
      ],
    });
    await native.stopStream({
      channel: "C1",
      ts,
      chunks: [{ type: "markdown_text", text: "." }],
      blocks: [{ type: "context", elements: [{ type: "mrkdwn", text: "Done" }] }],
    });
    const m = api.message("C1", ts)!;
    expect(m).toMatchObject({
      streaming: false,
      text: "Hello world.",
      tasks: [{ id: "t1", title: "Ran ls", status: "complete" }],
    });
    expect(JSON.stringify(m.blocks)).toContain("Done");
    // A stopped stream takes no more appends.
    await expect(
      native.appendStream({ channel: "C1", ts, chunks: [{ type: "markdown_text", text: "x" }] }),
    ).rejects.toMatchObject({
      slackError: "message_not_in_streaming_state",
    });
    expect(api.violations).toEqual([]);
  });

  it("refuses both where the workspace does not offer them, and warns without the stop event", async () => {
    const { native } = await start("refused");
    const refused = native.setAgentStatus({ channel: "C1", threadTs: "1.1", status: "processing" });
    await expect(refused).rejects.toBeInstanceOf(ErrSlackApi);
    await expect(refused).rejects.toMatchObject({ slackError: "not_allowed" });
    await expect(
      native.startStream({ channel: "C1", threadTs: "1.1", recipientUserId: "U1", recipientTeamId: "T1", chunks: [] }),
    ).rejects.toMatchObject({ slackError: "not_allowed" });
    await api!.stop();
    const warned = await start("warn");
    expect(await warned.native.setAgentStatus({ channel: "C1", threadTs: "1.1", status: "processing" })).toEqual({
      warning: "missing_agent_session_stopped_event_subscription",
    });
  });
});

describe("files on the stand-in", () => {
  it("lists a message's files with url_private, served only with the bot token", async () => {
    const { api, native } = await start("available");
    const f = api.addUserFile({ user: "U1", name: "build.log", mimetype: "text/plain", content: "ERROR\n" });
    const root = api.addMessage({ channel: "C1", user: "U1", text: "look", files: [f] });
    const reply = api.addMessage({ channel: "C1", user: "U1", text: "and this", threadTs: root.ts, files: [f] });
    const [listed] = await native.messageFiles({ channel: "C1", ts: root.ts });
    expect(listed).toMatchObject({ id: f.id, name: "build.log", mimetype: "text/plain", size: 6 });
    expect((await native.messageFiles({ channel: "C1", ts: reply.ts, threadTs: root.ts }))[0]?.id).toBe(f.id);
    expect((await native.download(listed!.url_private_download!, 1_000)).toString()).toBe("ERROR\n");
    // Without the token: Slack's sign-in page, never the file.
    const anonymous = await fetch(listed!.url_private_download!);
    expect(anonymous.headers.get("content-type")).toContain("text/html");
    await expect(native.download(listed!.url_private_download!, 3)).rejects.toMatchObject({ reason: "too_large" });
    // The token goes to Slack's file host or the configured API's origin only.
    await expect(native.download("https://files.example.com/x", 10)).rejects.toBeInstanceOf(ErrAttachmentDownload);
    await expect(native.download("https://files.example.com/x", 10)).rejects.toMatchObject({ reason: "foreign_host" });
  });

  it("answers with the token's scopes, as Slack names them", async () => {
    const { api } = await start("available");
    const client = new webApi.WebClient("xoxb-test", { slackApiUrl: api.apiUrl, retryConfig: { retries: 0 } });
    const auth = await client.auth.test();
    expect(auth.response_metadata?.scopes).toContain("files:read");
  });
});
