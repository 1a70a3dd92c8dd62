import { createHash } from "node:crypto";
import { Secret } from "../../secret.js";
import { ErrInvalidSecretKey } from "./errors.js";

/** How to make a key; every message about a missing or bad key says it. */
export const MakeKeyHint = "make one with: openssl rand -base64 32";

/** True when `text` is 32 bytes in canonical base64 (what CODETHREAD_SECRET_KEY must be). */
export function isSecretKey(text: string): boolean {
  return /^[A-Za-z0-9+/]{43}=$/.test(text) && Buffer.from(text, "base64").length === 32;
}

/** The key's raw bytes; throws `ErrInvalidSecretKey` (never quoting the value) for anything else. */
export function keyBytes(key: Secret): Buffer {
  const text = key.reveal().trim();
  if (!isSecretKey(text)) throw new ErrInvalidSecretKey();
  return Buffer.from(text, "base64");
}

/** Names a key without revealing it: the first 8 hex digits of SHA-256 of its bytes. */
export function keyIdOf(key: Secret): string {
  return createHash("sha256").update(keyBytes(key)).digest("hex").slice(0, 8);
}

/** Parse a key typed or piped by an operator (surrounding whitespace ignored). */
export function parseSecretKey(text: string): Secret {
  const key = new Secret(text.trim());
  keyBytes(key);
  return key;
}
