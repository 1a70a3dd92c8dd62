import type { Queryable } from "./database.js";

/** A Slack channel (its runs work on the bound project). */
export interface ChannelRef {
  teamId: string;
  channelId: string;
}

/** Bind the channel to `project` (replacing an earlier binding). */
export async function bindChannel(db: Queryable, channel: ChannelRef, project: string, by: string): Promise<void> {
  await db.query(
    `INSERT INTO channel_projects (team_id, channel_id, project, bound_by) VALUES ($1, $2, $3, $4)
     ON CONFLICT (team_id, channel_id) DO UPDATE SET project = EXCLUDED.project, bound_by = EXCLUDED.bound_by, bound_at = now()`,
    [channel.teamId, channel.channelId, project, by],
  );
}

export async function channelProject(db: Queryable, channel: ChannelRef): Promise<string | undefined> {
  const { rows } = await db.query<{ project: string }>(
    "SELECT project FROM channel_projects WHERE team_id = $1 AND channel_id = $2",
    [channel.teamId, channel.channelId],
  );
  return rows[0]?.project;
}

/** Channels bound to each project, by project name. */
export async function channelsByProject(db: Queryable): Promise<Map<string, ChannelRef[]>> {
  const { rows } = await db.query<{ project: string; team_id: string; channel_id: string }>(
    "SELECT project, team_id, channel_id FROM channel_projects ORDER BY bound_at",
  );
  const out = new Map<string, ChannelRef[]>();
  for (const r of rows)
    out.set(r.project, [...(out.get(r.project) ?? []), { teamId: r.team_id, channelId: r.channel_id }]);
  return out;
}
