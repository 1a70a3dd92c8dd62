/** Time source for the Slack layer; tests and benchmarks inject their own. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
