/** Identifies one Slack thread: the session boundary and the queue's serialization key. */
export interface ThreadRef {
  teamId: string;
  channelId: string;
  /** ts of the thread's root message. */
  threadTs: string;
}

export function threadKey(ref: ThreadRef): string {
  return `${ref.teamId}:${ref.channelId}:${ref.threadTs}`;
}

export function parseThreadKey(key: string): ThreadRef | undefined {
  const m = /^([^:]+):([^:]+):(\d+\.\d+)$/.exec(key);
  return m ? { teamId: m[1]!, channelId: m[2]!, threadTs: m[3]! } : undefined;
}
