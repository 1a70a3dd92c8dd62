import { CodethreadError } from "../../errors.js";

/** The credential store needs CODETHREAD_SECRET_KEY and it is not set. */
export class ErrSecretKeyMissing extends CodethreadError {
  constructor() {
    super(
      "secret_key_missing",
      "CODETHREAD_SECRET_KEY is not set, and the credential store needs it to encrypt and read values; make one with: openssl rand -base64 32",
    );
  }
}

/** A key that is not 32 bytes of base64. The value itself is never quoted. */
export class ErrInvalidSecretKey extends CodethreadError {
  constructor() {
    super(
      "secret_key_invalid",
      "The secret key must be 32 random bytes in base64 (44 characters); make one with: openssl rand -base64 32",
    );
  }
}

/** The value was sealed with another key than the configured one. */
export class ErrCredentialWrongKey extends CodethreadError {
  constructor(name: string, storedKeyId: string, configuredKeyId: string) {
    super(
      "credential_wrong_key",
      `Credential ${name} was encrypted with key ${storedKeyId}, the configured key is ${configuredKeyId}: set CODETHREAD_SECRET_KEY to the key it was stored with, or store the value again with \`codethread secrets set ${name}\`.`,
      { name, storedKeyId, configuredKeyId },
    );
  }
}

/** The stored value fails its integrity check: changed in the database, or corrupt. */
export class ErrCredentialTampered extends CodethreadError {
  constructor(name: string, keyId: string) {
    super(
      "credential_tampered",
      `Credential ${name} failed its integrity check (it was changed in the database or is corrupt), so it was not used: store it again with \`codethread secrets set ${name}\`.`,
      { name, keyId },
    );
  }
}

/** A credential name that is not an identifier (letters, digits, underscores). */
export class ErrInvalidCredentialName extends CodethreadError {
  constructor(name: string) {
    super(
      "credential_name_invalid",
      `"${name.slice(0, 64)}" is not a credential name: use letters, digits and underscores, starting with a letter (e.g. GITEA_TOKEN).`,
      { name: name.slice(0, 64) },
    );
  }
}
