import { randomBytes } from "node:crypto";
import { afterEach, beforeEach, expect, it } from "vitest";
import { Secret } from "../../src/secret.js";
import {
  ErrCredentialTampered,
  ErrCredentialWrongKey,
  ErrInvalidCredentialName,
  ErrInvalidSecretKey,
} from "../../src/store/credentials/errors.js";
import { keyIdOf, parseSecretKey } from "../../src/store/credentials/key.js";
import { CredentialStore } from "../../src/store/credentials/store.js";
import type { Database } from "../../src/store/database.js";
import { migrate } from "../../src/store/migrate.js";
import { describeEachDatabase } from "../support/databases.js";

const newKey = () => new Secret(randomBytes(32).toString("base64"));
const token = "gta_4f1c9e0b7d2a8c6e5f3b1a9d7c5e3f1b2a4c6e8d";

describeEachDatabase("credential store", (target) => {
  let db: Database;
  let key: Secret;
  let store: CredentialStore;
  beforeEach(async () => {
    db = await target.create();
    await migrate(db);
    key = newKey();
    store = new CredentialStore(db, key);
  });
  afterEach(async () => {
    await db.close();
  });

  it("gives back what was stored, and stores only ciphertext", async () => {
    await store.set("GITEA_TOKEN", new Secret(token));
    expect((await store.get("GITEA_TOKEN"))?.reveal()).toBe(token);
    expect(await store.get("WOODPECKER_API_TOKEN")).toBeUndefined();
    await store.set("GITEA_TOKEN", new Secret("second"));
    expect((await store.get("GITEA_TOKEN"))?.reveal()).toBe("second");
    const { rows } = await db.query("SELECT * FROM credentials");
    expect(JSON.stringify(rows)).not.toContain("second");
    expect(rows[0]).toMatchObject({ name: "GITEA_TOKEN", key_id: keyIdOf(key) });
  });

  it("uses a fresh nonce for every value, even an identical one", async () => {
    await store.set("A", new Secret(token));
    await store.set("B", new Secret(token));
    const { rows } = await db.query<{ nonce: string; ciphertext: string }>("SELECT nonce, ciphertext FROM credentials");
    expect(rows[0]!.nonce).not.toBe(rows[1]!.nonce);
    expect(rows[0]!.ciphertext).not.toBe(rows[1]!.ciphertext);
    expect(Buffer.from(rows[0]!.nonce, "base64")).toHaveLength(12);
  });

  it("names a wrong key by both ids, without the value", async () => {
    await store.set("GITEA_TOKEN", new Secret(token));
    const other = new CredentialStore(db, newKey());
    const err = await other.get("GITEA_TOKEN").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ErrCredentialWrongKey);
    expect((err as Error).message).toContain(
      `encrypted with key ${keyIdOf(key)}, the configured key is ${other.keyId}`,
    );
    expect(JSON.stringify({ m: (err as Error).message, c: (err as ErrCredentialWrongKey).context })).not.toContain(
      token,
    );
  });

  it("detects a changed ciphertext, a changed nonce and a value moved onto another name", async () => {
    await store.set("GITEA_TOKEN", new Secret(token));
    await store.set("OTHER", new Secret("other"));
    const { rows } = await db.query<{ ciphertext: string; nonce: string }>(
      "SELECT ciphertext, nonce FROM credentials WHERE name = 'GITEA_TOKEN'",
    );
    const body = Buffer.from(rows[0]!.ciphertext, "base64");
    body[0] = body[0]! ^ 1;
    await db.query("UPDATE credentials SET ciphertext = $1 WHERE name = 'GITEA_TOKEN'", [body.toString("base64")]);
    await expect(store.get("GITEA_TOKEN")).rejects.toThrow(ErrCredentialTampered);
    await expect(store.get("GITEA_TOKEN")).rejects.toThrow(/failed its integrity check/);

    await store.set("GITEA_TOKEN", new Secret(token));
    await db.query("UPDATE credentials SET nonce = $1 WHERE name = 'GITEA_TOKEN'", [
      randomBytes(12).toString("base64"),
    ]);
    await expect(store.get("GITEA_TOKEN")).rejects.toThrow(ErrCredentialTampered);

    await store.set("GITEA_TOKEN", new Secret(token));
    await db.query(
      "UPDATE credentials SET nonce = g.nonce, ciphertext = g.ciphertext FROM credentials g WHERE credentials.name = 'OTHER' AND g.name = 'GITEA_TOKEN'",
    );
    await expect(store.get("OTHER")).rejects.toThrow(ErrCredentialTampered);
  });

  it("rotates every value to a new key in one go", async () => {
    await store.set("GITEA_TOKEN", new Secret(token));
    await store.set("WOODPECKER_API_TOKEN", new Secret("wp-token"));
    const before = keyIdOf(key);
    const next = newKey();
    const result = await store.rotate(next);
    expect(result).toEqual({ rotated: 2, keyId: keyIdOf(next), previousKeyId: before });
    expect((await store.get("GITEA_TOKEN"))?.reveal()).toBe(token);
    const fresh = new CredentialStore(db, next);
    expect((await fresh.get("WOODPECKER_API_TOKEN"))?.reveal()).toBe("wp-token");
    await expect(new CredentialStore(db, key).get("GITEA_TOKEN")).rejects.toThrow(ErrCredentialWrongKey);
    expect((await store.list()).map((c) => c.keyId)).toEqual([keyIdOf(next), keyIdOf(next)]);
  });

  it("rotates nothing when any value cannot be opened with the current key", async () => {
    await store.set("A_GOOD", new Secret("good"));
    await new CredentialStore(db, newKey()).set("B_FOREIGN", new Secret("foreign"));
    await expect(store.rotate(newKey())).rejects.toThrow(ErrCredentialWrongKey);
    // Still readable with the old key: the transaction rolled back the first row too.
    expect((await store.get("A_GOOD"))?.reveal()).toBe("good");
    expect((await store.list()).find((c) => c.name === "A_GOOD")?.keyId).toBe(keyIdOf(key));
  });

  it("lists names and key ids only, and deletes by name", async () => {
    await store.set("WOODPECKER_API_TOKEN", new Secret("wp-token"));
    await store.set("GITEA_TOKEN", new Secret(token));
    const list = await store.list();
    expect(list.map((c) => c.name)).toEqual(["GITEA_TOKEN", "WOODPECKER_API_TOKEN"]);
    expect(JSON.stringify(list)).not.toMatch(/wp-token|gta_/);
    expect(Object.keys(list[0]!).sort()).toEqual(["keyId", "name", "updatedAt"]);
    expect(await store.delete("GITEA_TOKEN")).toBe(true);
    expect(await store.delete("GITEA_TOKEN")).toBe(false);
    expect(await store.has("GITEA_TOKEN")).toBe(false);
  });

  it("refuses names that are not identifiers and keys that are not 32 bytes", async () => {
    await expect(store.set("bad name; drop", new Secret("x"))).rejects.toThrow(ErrInvalidCredentialName);
    expect(() => parseSecretKey("c2hvcnQ=")).toThrow(ErrInvalidSecretKey);
    expect(() => new CredentialStore(db, new Secret("not-a-key"))).toThrow(/openssl rand -base64 32/);
    expect(parseSecretKey(`  ${key.reveal()}\n`).reveal()).toBe(key.reveal());
  });
});
