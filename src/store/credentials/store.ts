import { Secret } from "../../secret.js";
import type { Database, Queryable } from "../database.js";
import { open, type Sealed, seal } from "./cipher.js";
import {
  ErrCredentialTampered,
  ErrCredentialWrongKey,
  ErrInvalidCredentialName,
  ErrSecretKeyMissing,
} from "./errors.js";
import { keyIdOf } from "./key.js";

/** What `list` shows: never a value. */
export interface CredentialInfo {
  name: string;
  keyId: string;
  updatedAt: Date;
}

interface CredentialRow extends Record<string, unknown>, Sealed {
  name: string;
  key_id: string;
  updated_at: Date;
}

const NamePattern = /^[A-Za-z][A-Za-z0-9_]{0,127}$/;

function checkName(name: string): void {
  if (!NamePattern.test(name)) throw new ErrInvalidCredentialName(name);
}

/**
 * Infrastructure credentials encrypted at rest (AES-256-GCM, key from CODETHREAD_SECRET_KEY).
 * Values go in and come out as `Secret`s; nothing here logs, and no error quotes a value.
 * A value sealed with another key fails with `ErrCredentialWrongKey` (both key ids named); a value
 * whose tag does not verify with its own key fails with `ErrCredentialTampered`.
 */
export class CredentialStore {
  readonly #db: Database;
  #key: Secret;
  #keyId: string;

  constructor(db: Database, key: Secret) {
    this.#db = db;
    this.#key = key;
    this.#keyId = keyIdOf(key);
  }

  /** Id of the key values are sealed with now. */
  get keyId(): string {
    return this.#keyId;
  }

  async set(name: string, value: Secret): Promise<void> {
    checkName(name);
    const sealed = seal(this.#key, name, value.reveal());
    await this.#db.query(
      `INSERT INTO credentials (name, key_id, nonce, ciphertext) VALUES ($1, $2, $3, $4)
       ON CONFLICT (name) DO UPDATE SET key_id = EXCLUDED.key_id, nonce = EXCLUDED.nonce,
         ciphertext = EXCLUDED.ciphertext, updated_at = now()`,
      [name, this.#keyId, sealed.nonce, sealed.ciphertext],
    );
  }

  /** The value, or undefined when no credential has this name. */
  async get(name: string): Promise<Secret | undefined> {
    checkName(name);
    const { rows } = await this.#db.query<CredentialRow>(
      "SELECT name, key_id, nonce, ciphertext, updated_at FROM credentials WHERE name = $1",
      [name],
    );
    return rows[0] ? new Secret(this.#open(rows[0], this.#key, this.#keyId)) : undefined;
  }

  async has(name: string): Promise<boolean> {
    checkName(name);
    const { rows } = await this.#db.query("SELECT 1 FROM credentials WHERE name = $1", [name]);
    return rows.length > 0;
  }

  /** Names, key ids and dates, by name. */
  async list(): Promise<CredentialInfo[]> {
    const { rows } = await this.#db.query<CredentialRow>(
      "SELECT name, key_id, updated_at FROM credentials ORDER BY name",
    );
    return rows.map((r) => ({ name: r.name, keyId: r.key_id, updatedAt: r.updated_at }));
  }

  /** True when a credential was deleted. */
  async delete(name: string): Promise<boolean> {
    checkName(name);
    const { rowCount } = await this.#db.query("DELETE FROM credentials WHERE name = $1", [name]);
    return rowCount > 0;
  }

  /**
   * Re-encrypt every value with `newKey` in one transaction (rows locked): either every value is
   * sealed with the new key, or — when any value cannot be opened with the current key — none is.
   * This store uses the new key afterwards; the operator must then set CODETHREAD_SECRET_KEY to it.
   */
  async rotate(newKey: Secret): Promise<{ rotated: number; keyId: string; previousKeyId: string }> {
    const newKeyId = keyIdOf(newKey);
    const previousKeyId = this.#keyId;
    const rotated = await this.#db.transaction(async (tx: Queryable) => {
      const { rows } = await tx.query<CredentialRow>(
        "SELECT name, key_id, nonce, ciphertext, updated_at FROM credentials ORDER BY name FOR UPDATE",
      );
      for (const row of rows) {
        const plaintext = this.#open(row, this.#key, this.#keyId);
        const sealed = seal(newKey, row.name, plaintext);
        await tx.query(
          "UPDATE credentials SET key_id = $2, nonce = $3, ciphertext = $4, updated_at = now() WHERE name = $1",
          [row.name, newKeyId, sealed.nonce, sealed.ciphertext],
        );
      }
      return rows.length;
    });
    this.#key = newKey;
    this.#keyId = newKeyId;
    return { rotated, keyId: newKeyId, previousKeyId };
  }

  #open(row: CredentialRow, key: Secret, keyId: string): string {
    if (row.key_id !== keyId) throw new ErrCredentialWrongKey(row.name, row.key_id, keyId);
    const plaintext = open(key, row.name, row);
    if (plaintext === undefined) throw new ErrCredentialTampered(row.name, row.key_id);
    return plaintext;
  }
}

/** The store for the configured key; `ErrSecretKeyMissing` when CODETHREAD_SECRET_KEY is not set. */
export function openCredentialStore(db: Database, secretKey: Secret | undefined): CredentialStore {
  if (!secretKey) throw new ErrSecretKeyMissing();
  return new CredentialStore(db, secretKey);
}
