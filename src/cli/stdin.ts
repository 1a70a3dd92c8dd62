import { Secret } from "../secret.js";
import { ErrUsage } from "./errors.js";
import type { CliIO } from "./io.js";

/** Longest value read from stdin (a token or key is far shorter; a mistaken pipe of a file is refused). */
const MaxValueBytes = 64 * 1024;

/**
 * A secret value from stdin, never the command line (argv shows in `ps` and shell history). On a
 * terminal a prompt goes to stderr; one trailing newline is dropped (what `echo` and Enter add).
 */
export async function readSecretFromStdin(io: CliIO, what: string, help: string): Promise<Secret> {
  const stdin = io.stdin;
  if (!stdin) throw new ErrUsage(`${what} is read from stdin, and there is none.`, help);
  if (stdin.isTTY) io.stderr.write(`Type or paste ${what}, then press Enter and Ctrl-D:\n`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stdin) {
    const buf = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
    size += buf.length;
    if (size > MaxValueBytes) throw new ErrUsage(`${what} is longer than ${MaxValueBytes} bytes.`, help);
    chunks.push(buf);
  }
  const text = Buffer.concat(chunks)
    .toString("utf8")
    .replace(/\r?\n$/, "");
  if (!text) throw new ErrUsage(`${what} is empty: pipe it in, e.g. printf %s "$VALUE" | codethread …`, help);
  return new Secret(text);
}
