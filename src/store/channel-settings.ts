import type { Queryable } from "./database.js";

/** How a channel's run cards show progress: `quiet` (status, elapsed, counts) or `verbose` (each tool). */
export type Verbosity = "quiet" | "verbose";

export interface ChannelSettings {
  verbosity: Verbosity;
}

/** What a channel without a row gets. */
export const DefaultChannelSettings: Readonly<ChannelSettings> = { verbosity: "verbose" };

/** A channel's settings (defaults when it has none). */
export async function getChannelSettings(
  db: Queryable,
  ref: { teamId: string; channelId: string },
): Promise<ChannelSettings> {
  const { rows } = await db.query<{ verbosity: Verbosity }>(
    "SELECT verbosity FROM channel_settings WHERE team_id = $1 AND channel_id = $2",
    [ref.teamId, ref.channelId],
  );
  return rows[0] ? { verbosity: rows[0].verbosity } : { ...DefaultChannelSettings };
}

/** Set a channel's verbosity (one upsert); `by` is who changed it. */
export async function setChannelVerbosity(
  db: Queryable,
  ref: { teamId: string; channelId: string },
  verbosity: Verbosity,
  by: string,
): Promise<void> {
  await db.query(
    `INSERT INTO channel_settings (team_id, channel_id, verbosity, updated_by) VALUES ($1, $2, $3, $4)
     ON CONFLICT (team_id, channel_id)
     DO UPDATE SET verbosity = EXCLUDED.verbosity, updated_by = EXCLUDED.updated_by, updated_at = now()`,
    [ref.teamId, ref.channelId, verbosity, by],
  );
}
