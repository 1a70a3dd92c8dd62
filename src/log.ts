import pino, { type Logger } from "pino";

export type { Logger };

/**
 * Paths pino redacts. pino's `*.x` matches exactly one level, so the common nestings are
 * listed explicitly; secret values themselves are `Secret` objects that print `[REDACTED]`.
 */
export const RedactPaths = [
  "token",
  "*.token",
  "*.*.token",
  "botToken",
  "*.botToken",
  "appToken",
  "*.appToken",
  "signingSecret",
  "*.signingSecret",
  "password",
  "*.password",
  "secret",
  "*.secret",
  "apiKey",
  "*.apiKey",
  "authorization",
  "*.authorization",
  "*.*.authorization",
  "headers.authorization",
  "*.headers.authorization",
  "headers.Authorization",
  "*.headers.Authorization",
  'headers["x-api-key"]',
  '*.headers["x-api-key"]',
  "databaseUrl",
  "*.databaseUrl",
];

export interface LogOptions {
  level?: string;
  format?: "json" | "pretty";
  /** Destination stream (tests). Default: stdout. */
  destination?: pino.DestinationStream;
}

/** The process logger: JSON by default, readable (pino-pretty) when `format` is `pretty`. */
export function createLogger(options: LogOptions = {}): Logger {
  const base: pino.LoggerOptions = {
    level: options.level ?? "info",
    base: { app: "codethread" },
    redact: { paths: RedactPaths, censor: "[REDACTED]" },
    serializers: { err: pino.stdSerializers.err },
  };
  if (options.destination) return pino(base, options.destination);
  if (options.format === "pretty") {
    return pino({
      ...base,
      transport: {
        target: "pino-pretty",
        options: { colorize: true, translateTime: "SYS:HH:MM:ss", ignore: "pid,hostname,app" },
      },
    });
  }
  return pino(base);
}

/** A logger that discards everything (tests, library defaults). */
export const silentLogger: Logger = pino({ level: "silent" });
