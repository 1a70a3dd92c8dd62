import { randomUUID } from "node:crypto";
import type { Queryable } from "../store/database.js";
import { claimDeliveryKey, releaseDeliveryKey } from "../store/delivery-keys.js";

/**
 * Slack delivers some things twice: retries of one event (same event id) and a mention as both
 * `app_mention` and `message` (different event ids, same channel + ts). Keys are claimed in the
 * database so every replica agrees; a retry whose first delivery never arrived finds no key and runs.
 */
export function eventKey(e: { apiAppId?: string; teamId?: string; eventId: string }): string {
  return `event:${e.apiAppId ?? "-"}:${e.teamId ?? "-"}:${e.eventId}`;
}

export function messageKey(m: { teamId: string; channelId: string; ts: string }): string {
  return `message:${m.teamId}:${m.channelId}:${m.ts}`;
}

export function slashKey(c: { teamId: string; triggerId: string }): string {
  return `slash:${c.teamId}:${c.triggerId}`;
}

/**
 * Claimed keys of one delivery, released together when its handling failed before anything happened.
 * One claimant token per delivery: a claim the database layer repeats after a lost answer stays ours.
 * A claim throws when the database cannot be reached (after the retries of the db it was given):
 * callers claim inside their error path, so the person is told the request could not be taken.
 */
export class Claims {
  readonly #keys: string[] = [];
  readonly #claimant = randomUUID();
  constructor(private readonly db: Queryable) {}

  async claim(key: string): Promise<boolean> {
    const first = await claimDeliveryKey(this.db, key, this.#claimant);
    if (first) this.#keys.push(key);
    return first;
  }

  async release(): Promise<void> {
    for (const key of this.#keys.splice(0)) await releaseDeliveryKey(this.db, key).catch(() => undefined);
  }
}
