import { CodethreadError } from "../errors.js";
import type { Secret } from "../secret.js";
import type { CredentialStore } from "../store/credentials/store.js";

/** A token and where it came from (doctor and error sentences say which). */
export interface ResolvedCredential {
  name: string;
  value: Secret;
  source: "store" | "env";
}

/**
 * The one rule for infrastructure tokens: the credential store wins over the environment variable
 * of the same name (so an operator can rotate a token without a redeploy). Undefined when neither
 * has it. A store value that cannot be opened (wrong key, tampered) fails loudly, never falling
 * back to the environment silently.
 */
export async function resolveCredential(
  name: string,
  fromEnv: Secret | undefined,
  store: CredentialStore | undefined,
): Promise<ResolvedCredential | undefined> {
  const stored = store ? await store.get(name) : undefined;
  if (stored) return { name, value: stored, source: "store" };
  if (fromEnv) return { name, value: fromEnv, source: "env" };
  return undefined;
}

/** A server URL is configured and its token is nowhere. */
export class ErrTokenMissing extends CodethreadError {
  constructor(name: string, urlVariable: string) {
    super(
      "token_missing",
      `${urlVariable} is set but ${name} is not: set ${name}, or store it with: printf %s "$TOKEN" | codethread secrets set ${name}`,
      { name, urlVariable },
    );
  }
}
