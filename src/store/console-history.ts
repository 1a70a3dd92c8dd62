import { z } from "zod";
import type { Channel, StoredFile, StoredMessage } from "../console/workspace.js";
import type { Queryable } from "./database.js";

/**
 * The local console's history (migration 006): channels, messages and files of its workspace.
 * Messages are stored whole as one jsonb body per (channel, ts), written again when edited.
 * Start-up reads the latest `HistoryLoadLimit` messages (older ones stay stored, unshown) and the
 * files they carry.
 */
export const HistoryLoadLimit = 5_000;

const MessageBody = z.object({
  user: z.string(),
  text: z.string(),
  blocks: z.unknown().optional(),
  botId: z.string().optional(),
  files: z
    .array(z.object({ id: z.string(), name: z.string(), title: z.string(), filetype: z.string(), size: z.number() }))
    .optional(),
  edited: z.boolean().optional(),
  reactions: z.array(z.object({ name: z.string(), users: z.array(z.string()) })).optional(),
});

export interface ConsoleHistory {
  channels: Channel[];
  messages: StoredMessage[];
  files: StoredFile[];
}

export async function loadConsoleHistory(db: Queryable, limit = HistoryLoadLimit): Promise<ConsoleHistory> {
  const channels = await db.query<{ id: string; name: string; topic: string; is_im: boolean; im_user: string | null }>(
    "SELECT id, name, topic, is_im, im_user FROM console_channels ORDER BY created_at, id",
  );
  const rows = await db.query<{ channel_id: string; ts: string; thread_ts: string | null; body: unknown }>(
    `SELECT channel_id, ts, thread_ts, body FROM
       (SELECT * FROM console_messages ORDER BY ts DESC LIMIT $1) latest
     ORDER BY ts`,
    [limit],
  );
  const messages: StoredMessage[] = [];
  for (const r of rows.rows) {
    const body = MessageBody.safeParse(r.body);
    if (!body.success) continue; // a row another version wrote differently: skipped, not fatal
    messages.push({ channel: r.channel_id, ts: r.ts, ...(r.thread_ts ? { threadTs: r.thread_ts } : {}), ...body.data });
  }
  const ids = messages.flatMap((m) => (m.files ?? []).map((f) => f.id));
  const files = ids.length
    ? await db.query<{ id: string; name: string; title: string; filetype: string; content: string }>(
        "SELECT id, name, title, filetype, content FROM console_files WHERE id = ANY($1::text[])",
        [ids],
      )
    : { rows: [] };
  return {
    channels: channels.rows.map((c) => ({
      id: c.id,
      name: c.name,
      topic: c.topic,
      isIm: c.is_im,
      ...(c.im_user ? { user: c.im_user } : {}),
    })),
    messages,
    files: files.rows.map((f) => ({ ...f, size: Buffer.byteLength(f.content, "utf8") })),
  };
}

export async function saveConsoleChannel(db: Queryable, c: Channel): Promise<void> {
  await db.query(
    `INSERT INTO console_channels (id, name, topic, is_im, im_user) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, topic = EXCLUDED.topic`,
    [c.id, c.name, c.topic, c.isIm, c.user ?? null],
  );
}

export async function saveConsoleMessage(db: Queryable, m: StoredMessage): Promise<void> {
  const { channel, ts, threadTs, ...rest } = m;
  await db.query(
    `INSERT INTO console_messages (channel_id, ts, thread_ts, body) VALUES ($1, $2, $3, $4)
     ON CONFLICT (channel_id, ts) DO UPDATE SET body = EXCLUDED.body, updated_at = now()`,
    [channel, ts, threadTs ?? null, JSON.stringify(rest)],
  );
}

export async function deleteConsoleMessage(db: Queryable, channel: string, ts: string): Promise<void> {
  await db.query("DELETE FROM console_messages WHERE channel_id = $1 AND ts = $2", [channel, ts]);
}

export async function saveConsoleFile(db: Queryable, f: StoredFile): Promise<void> {
  await db.query(
    `INSERT INTO console_files (id, name, title, filetype, content) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (id) DO NOTHING`,
    [f.id, f.name, f.title, f.filetype, f.content],
  );
}
