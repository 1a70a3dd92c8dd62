import { userInfo } from "node:os";
import { AgentCommandName } from "../handlers/slash-command.js";
import type { Logger } from "../log.js";
import type { Database } from "../store/database.js";
import { type ConsoleCredentials, generateConsoleCredentials } from "./credentials.js";
import { EventsSender } from "./events-sender.js";
import { WorkspaceHistory } from "./history.js";
import { pageRoutes } from "./page-routes.js";
import type { Person } from "./payloads.js";
import { ConsolePerson } from "./person.js";
import { SlackWebApi } from "./slack-web-api.js";
import { SseHub } from "./sse.js";
import { clockTs } from "./ts-source.js";
import { Workspace } from "./workspace.js";

/**
 * The local console: a Slack Web API stand-in and a Slack-like page on one server at
 * 127.0.0.1:<port>. The bot is pointed at `apiUrl` with `credentials`; `connect()` tells the
 * console where the bot's /slack/events is, and everything the person does on the page reaches
 * the bot signed, as from Slack. Channels and messages are kept in `db` when given.
 */
export interface ConsoleOptions {
  /** Port on 127.0.0.1 (0: any free one). */
  port: number;
  log: Logger;
  /** Keep the workspace's channels and messages here (migration 006); none: in memory only. */
  db?: Database;
  /** The person at the console (default: the OS user's name, as U0LOCALDEV). */
  me?: Person;
  /** Channels of a new workspace (default #general and #backend). */
  channels?: { name: string; topic: string }[];
  /** Retries of events the bot did not take (default Slack's schedule). */
  retryDelaysMs?: number[];
  credentials?: ConsoleCredentials;
}

export interface LocalConsole {
  /** The page: http://127.0.0.1:<port> */
  url: string;
  /** The Web API base URL for the bot (SLACK_API_URL). */
  apiUrl: string;
  credentials: ConsoleCredentials;
  api: SlackWebApi;
  person: ConsolePerson;
  /** The bot's events URL (its Bolt HTTP receiver). */
  connect(eventsUrl: string): void;
  stop(): Promise<void>;
}

export const DefaultChannels = [
  { name: "general", topic: "Try /agent fix the build, or mention @codethread" },
  { name: "backend", topic: "Services and the build" },
];

/** Slash commands the console's app has (manifest.yml lists the same). */
const Commands = new Set([AgentCommandName]);

/** Messages a page gets when it connects: the latest of the workspace. */
const SnapshotLimit = 5_000;

function defaultMe(): Person {
  let name = "you";
  try {
    const u = userInfo().username;
    if (u && u !== "root") name = u;
  } catch {
    // no user name on this system
  }
  return { id: "U0LOCALDEV", name };
}

export async function startConsole(o: ConsoleOptions): Promise<LocalConsole> {
  const log = o.log;
  const me = o.me ?? defaultMe();
  const credentials = o.credentials ?? generateConsoleCredentials();
  const ws = new Workspace(clockTs());
  const history = o.db ? new WorkspaceHistory(o.db, ws, log) : undefined;
  await history?.open();

  let eventsUrl: string | undefined;
  const sender = new EventsSender({
    secret: credentials.signingSecret,
    target: () => eventsUrl,
    retryDelaysMs: o.retryDelaysMs,
    log,
  });
  const hub = new SseHub();
  let person: ConsolePerson | undefined;
  const api = new SlackWebApi({
    port: o.port,
    token: credentials.botToken.reveal(),
    workspace: ws,
    users: { [me.id]: me.name },
    // The console shows what a paid workspace with the app declared an agent shows: Slack's own
    // status and stop button, and streamed answers.
    agentFeatures: "available",
    recordLimit: 1_000,
    routes: (req, res, raw) => routes(req, res, raw),
  });
  person = new ConsolePerson(api, sender, me, log);
  const snapshot = () => ({
    team: { id: api.teamId, name: api.identity.teamName },
    me,
    bot: { id: api.botUserId, name: api.identity.botName },
    users: { ...api.identity.users, [api.botUserId]: api.identity.botName },
    channels: [...ws.channels.values()],
    messages: ws.messages.slice(-SnapshotLimit),
    statuses: [...ws.statuses].map(([key, status]) => {
      const [channel, threadTs] = key.split(":");
      return { channel, threadTs, status };
    }),
    agentSessions: [...ws.agentSessions.values()],
    connected: eventsUrl !== undefined,
  });
  const routes = pageRoutes(
    {
      snapshot,
      openStream: (res) => hub.open(res, { event: "snapshot", data: snapshot() }),
      file: (id) => ws.files.get(id),
      say: async (b) => {
        const p = person!;
        const slash = /^(\/[\w-]+)(?:\s+([\s\S]*))?$/.exec(b.text.trim());
        const files = b.files?.map((f) => ({
          name: f.name,
          mimetype: f.mimetype,
          content: Buffer.from(f.base64, "base64"),
        }));
        if (!slash || files?.length) return { ok: true, ts: (await p.say({ ...b, files })).ts };
        const command = slash[1]!;
        if (!Commands.has(command)) {
          ws.addNotice({
            channel: b.channel,
            threadTs: b.threadTs,
            user: me.id,
            text: `\`${command}\` is not a valid command. In Slack, messages that start with "/" are commands; this workspace has \`${AgentCommandName}\`.`,
          });
          return { ok: true };
        }
        await p.command({ channel: b.channel, command, text: slash[2] ?? "", threadTs: b.threadTs });
        return { ok: true };
      },
      click: async (b) => {
        await person!.click(b);
        return { ok: true };
      },
      stop: async (b) => {
        await person!.stop(b);
        return { ok: true };
      },
      addChannel: (b) => ({ ok: true, channel: ws.addChannel(b.name) }),
    },
    () => Number(new URL(api.url).port),
    log,
  );

  const unsubscribe = ws.onChange((c) => {
    if (c.kind === "file") return; // fetched on demand
    if (c.kind === "notice" && c.notice.user !== me.id) return;
    hub.broadcast(c.kind, c);
  });

  if (ws.channels.size === 0) for (const c of o.channels ?? DefaultChannels) ws.addChannel(c.name, c.topic);
  ws.ensureChannel(`D${me.id.replace(/^U/, "")}`, () => ({
    name: api.identity.botName,
    topic: "",
    isIm: true,
    user: me.id,
  }));

  try {
    await api.start();
  } catch (err) {
    unsubscribe();
    hub.close();
    await history?.close();
    throw err;
  }
  log.info({ url: api.url }, "local Slack console listening");
  return {
    url: api.url,
    apiUrl: api.apiUrl,
    credentials,
    api,
    person,
    connect(url) {
      eventsUrl = url;
      hub.broadcast("connected", { connected: true });
    },
    async stop() {
      sender.stop();
      unsubscribe();
      hub.close();
      await api.stop();
      await history?.close();
    },
  };
}
