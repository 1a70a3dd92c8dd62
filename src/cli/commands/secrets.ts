import { parseArgs } from "node:util";
import { loadConfig, loadDotEnv } from "../../config.js";
import { createLogger } from "../../log.js";
import { Secret } from "../../secret.js";
import { parseSecretKey } from "../../store/credentials/key.js";
import { openCredentialStore } from "../../store/credentials/store.js";
import { openDatabase } from "../../store/open.js";
import { ErrUsage, parseOrUsage } from "../errors.js";
import { type CliIO, writeLine } from "../io.js";
import { readSecretFromStdin } from "../stdin.js";

export const secretsHelp = `Usage: codethread secrets <command>

Infrastructure credentials (forge and CI tokens, project secrets), stored in the database encrypted
with CODETHREAD_SECRET_KEY (AES-256-GCM). A token stored here wins over the environment variable of
the same name (GITEA_TOKEN, WOODPECKER_API_TOKEN).

Commands:
  set NAME      Store a value read from stdin, never from the command line:
                  printf %s "$TOKEN" | codethread secrets set GITEA_TOKEN
  list          Names and the id of the key each is encrypted with (never values)
  delete NAME   Forget a value
  rotate        Re-encrypt every value with a new key, read from stdin or CODETHREAD_NEW_SECRET_KEY:
                  openssl rand -base64 32 > new.key && codethread secrets rotate < new.key
                then set CODETHREAD_SECRET_KEY to the new key and restart.`;

async function withStore<T>(io: CliIO, fn: (store: ReturnType<typeof openCredentialStore>) => Promise<T>) {
  loadDotEnv(`${io.cwd}/.env`);
  const config = loadConfig(io.env, io.cwd);
  const log = createLogger({ level: "warn", format: config.log.format });
  const db = await openDatabase(config, log);
  try {
    return await fn(openCredentialStore(db, config.secretKey));
  } finally {
    await db.close();
  }
}

function needName(rest: string[], command: string): string {
  const [name, ...extra] = rest;
  if (!name) throw new ErrUsage(`secrets ${command} needs a NAME.`, secretsHelp);
  if (extra.length) {
    throw new ErrUsage(
      `secrets ${command} takes one NAME${command === "set" ? "; the value comes from stdin, never the command line" : ""}.`,
      secretsHelp,
    );
  }
  return name;
}

export async function secretsCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseOrUsage(secretsHelp, () =>
    parseArgs({ args: argv, options: { help: { type: "boolean", short: "h" } }, allowPositionals: true, strict: true }),
  );
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    writeLine(command || values.help ? io.stdout : io.stderr, secretsHelp);
    return values.help ? 0 : 2;
  }
  switch (command) {
    case "set": {
      const name = needName(rest, "set");
      const value = await readSecretFromStdin(io, `the value of ${name}`, secretsHelp);
      const keyId = await withStore(io, async (store) => {
        await store.set(name, value);
        return store.keyId;
      });
      writeLine(io.stdout, `Stored ${name} (encrypted with key ${keyId}).`);
      return 0;
    }
    case "list": {
      if (rest.length) throw new ErrUsage("secrets list takes no arguments.", secretsHelp);
      const list = await withStore(io, (store) => store.list());
      if (!list.length)
        writeLine(io.stdout, 'No credentials stored. Add one: printf %s "$TOKEN" | codethread secrets set NAME');
      for (const c of list) writeLine(io.stdout, `${c.name}  key ${c.keyId}  updated ${c.updatedAt.toISOString()}`);
      return 0;
    }
    case "delete": {
      const name = needName(rest, "delete");
      const deleted = await withStore(io, (store) => store.delete(name));
      writeLine(io.stdout, deleted ? `Deleted ${name}.` : `No credential named ${name}; nothing deleted.`);
      return deleted ? 0 : 1;
    }
    case "rotate": {
      if (rest.length)
        throw new ErrUsage("secrets rotate reads the new key from stdin or CODETHREAD_NEW_SECRET_KEY.", secretsHelp);
      const fromEnv = io.env.CODETHREAD_NEW_SECRET_KEY;
      const raw = fromEnv ? new Secret(fromEnv) : await readSecretFromStdin(io, "the new key", secretsHelp);
      const newKey = parseSecretKey(raw.reveal());
      const result = await withStore(io, (store) => store.rotate(newKey));
      writeLine(
        io.stdout,
        `Re-encrypted ${result.rotated} value(s) with key ${result.keyId} (was ${result.previousKeyId}).\n` +
          `Now set CODETHREAD_SECRET_KEY to the new key (key id ${result.keyId}) wherever codethread runs, and restart it: the old key opens nothing any more.`,
      );
      return 0;
    }
    default:
      throw new ErrUsage(`Unknown secrets command "${command}".`, secretsHelp);
  }
}
