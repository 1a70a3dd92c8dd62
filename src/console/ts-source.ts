/**
 * Message timestamps (`ts`) as Slack makes them: "<seconds>.<microseconds>", unique and
 * increasing within a workspace. Two sources: the clock (the console: times shown on the page are
 * real, and a restart continues after the latest stored ts) and a fixed sequence (tests: the same
 * ts values on every run).
 */
export interface TsSource {
  next(): string;
  /** Make every later ts greater than `ts` (history loaded from the database). */
  after(ts: string): void;
}

const Micro = 1_000_000;

function format(micros: number): string {
  return `${Math.floor(micros / Micro)}.${String(micros % Micro).padStart(6, "0")}`;
}

function parse(ts: string): number {
  const [s, us = "0"] = ts.split(".");
  const n = Number(s) * Micro + Number(us.padEnd(6, "0").slice(0, 6));
  return Number.isFinite(n) ? n : 0;
}

/** Clock-based: the current time in microseconds, bumped by one when two calls meet. */
export function clockTs(now: () => number = Date.now): TsSource {
  let last = 0;
  return {
    next() {
      last = Math.max(last + 1, now() * 1000);
      return format(last);
    },
    after(ts) {
      last = Math.max(last, parse(ts));
    },
  };
}

/** 1767300000.000001, .000002, …: the fixed sequence the tests' messages have always had. */
export function sequenceTs(baseSeconds = 1_767_300_000): TsSource {
  let last = baseSeconds * Micro;
  return {
    next() {
      last += 1;
      return format(last);
    },
    after(ts) {
      last = Math.max(last, parse(ts));
    },
  };
}
