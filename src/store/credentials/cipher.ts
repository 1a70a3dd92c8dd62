import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import type { Secret } from "../../secret.js";
import { keyBytes } from "./key.js";

/** One sealed value as stored: base64 nonce and ciphertext-with-tag. */
export interface Sealed {
  nonce: string;
  ciphertext: string;
}

const NonceBytes = 12;
const TagBytes = 16;

/** Binds a value to its name: a ciphertext moved onto another name fails to open. */
const aad = (name: string) => Buffer.from(`codethread:credential:v1:${name}`, "utf8");

/** AES-256-GCM with a fresh random 12-byte nonce (never reused: 2^-96 per pair of values). */
export function seal(key: Secret, name: string, plaintext: string): Sealed {
  const nonce = randomBytes(NonceBytes);
  const cipher = createCipheriv("aes-256-gcm", keyBytes(key), nonce, { authTagLength: TagBytes });
  cipher.setAAD(aad(name));
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final(), cipher.getAuthTag()]);
  return { nonce: nonce.toString("base64"), ciphertext: body.toString("base64") };
}

/** The plaintext, or undefined when the tag does not verify (tampered, corrupt, or another key). */
export function open(key: Secret, name: string, sealed: Sealed): string | undefined {
  const nonce = Buffer.from(sealed.nonce, "base64");
  const body = Buffer.from(sealed.ciphertext, "base64");
  if (nonce.length !== NonceBytes || body.length < TagBytes) return undefined;
  try {
    const decipher = createDecipheriv("aes-256-gcm", keyBytes(key), nonce, { authTagLength: TagBytes });
    decipher.setAAD(aad(name));
    decipher.setAuthTag(body.subarray(body.length - TagBytes));
    return Buffer.concat([decipher.update(body.subarray(0, body.length - TagBytes)), decipher.final()]).toString(
      "utf8",
    );
  } catch {
    return undefined;
  }
}
