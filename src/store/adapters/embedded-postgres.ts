import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { CodethreadError, excerpt, messageOf } from "../../errors.js";
import { type Logger, silentLogger } from "../../log.js";
import { spawnProcess } from "../../process/spawn.js";
import { sleep } from "../../sleep.js";
import type { Database, Queryable, QueryOptions, QueryResult, Row } from "../database.js";
import { ErrDatabaseUnavailable } from "../errors.js";
import { lockWritableDataDir } from "./dir-lock.js";
import { openPostgres } from "./postgres.js";
import type { PostgresBinaries } from "./postgres-binaries.js";

/** Where the cluster lives inside CODETHREAD_DATA_DIR (PGlite's was `pgdata`). */
export const ClusterDirName = "postgres";

/**
 * Server settings for one bot: a small cache (the data is small: jobs, sessions, audit), few
 * connections (one pool of 10 and a LISTEN connection), no TCP (a unix socket in a directory only
 * this user can open), fsync on. Given as `-c` flags: they win over postgresql.conf.
 */
const Settings: Record<string, string> = {
  listen_addresses: "",
  shared_buffers: "16MB",
  max_connections: "24",
  max_wal_senders: "0",
  max_worker_processes: "2",
  max_parallel_workers: "0",
  autovacuum_max_workers: "1",
  huge_pages: "off",
  io_method: "sync",
  unix_socket_permissions: "0700",
  logging_collector: "off",
  log_min_messages: "warning",
};

/** How much lower than the bot the embedded server runs (nice(2) steps); agents run at +10. */
const EmbeddedServerNiceness = 5;

/** The server did not become ready, or exited. */
export class ErrEmbeddedPostgres extends CodethreadError {
  constructor(dataDir: string, what: string, output: string) {
    super(
      "embedded_postgres_failed",
      `The embedded PostgreSQL in ${dataDir} ${what}${output ? `: ${excerpt(output, 600)}` : ""}`,
      { dataDir },
    );
  }
}

/** A unix socket path has a length limit (~104 bytes): the socket goes to a short directory. */
function socketDir(dataDir: string): { dir: string; temporary: boolean } {
  const inData = path.join(dataDir, "run");
  if (Buffer.byteLength(path.join(inData, ".s.PGSQL.5432")) <= 100) {
    mkdirSync(inData, { recursive: true, mode: 0o700 });
    return { dir: inData, temporary: false };
  }
  return { dir: mkdtempSync(path.join(tmpdir(), "ct-pg-")), temporary: true };
}

/** Keep the last lines a process printed, for error messages. */
function tail(stream: NodeJS.ReadableStream, onLine?: (line: string) => void): () => string {
  let text = "";
  stream.setEncoding?.("utf8");
  stream.on("data", (chunk: string) => {
    if (onLine) for (const line of chunk.split("\n")) if (line) onLine(line);
    text = (text + chunk).slice(-4_000);
  });
  return () => text.trim();
}

async function run(binaries: PostgresBinaries, dataDir: string, bin: string, args: string[]): Promise<void> {
  const p = spawnProcess({
    bin: binaries.wrapper[0] ?? path.join(binaries.binDir, bin),
    args: binaries.wrapper.length ? [...binaries.wrapper.slice(1), path.join(binaries.binDir, bin), ...args] : args,
    env: { LC_ALL: "C" },
  });
  const out = tail(p.stdout);
  const err = tail(p.stderr);
  const exit = await p.exited;
  if (exit.code !== 0) {
    throw new ErrEmbeddedPostgres(
      dataDir,
      `${bin} failed (${exit.error?.message ?? `exit ${exit.code ?? exit.signal}`})`,
      `${err()}\n${out()}`,
    );
  }
}

/** Create the cluster once, atomically: initdb into a scratch directory, then rename it into place. */
async function initCluster(binaries: PostgresBinaries, dataDir: string, cluster: string): Promise<void> {
  if (existsSync(path.join(cluster, "PG_VERSION"))) return;
  const scratch = `${cluster}.init`;
  rmSync(scratch, { recursive: true, force: true });
  await run(binaries, dataDir, "initdb", [
    "-D",
    scratch,
    "-U",
    "postgres",
    "--auth=trust",
    "-E",
    "UTF8",
    "--no-locale",
    "--no-instructions",
  ]);
  rmSync(cluster, { recursive: true, force: true });
  renameSync(scratch, cluster);
}

/**
 * A server left by a bot that died (we hold the data directory lock, so nobody else runs one
 * here) still holds the cluster: stop it. Only a live process named postgres is signalled.
 */
async function stopOrphan(cluster: string, log: Logger): Promise<void> {
  let pid: number;
  try {
    pid = Number(readFileSync(path.join(cluster, "postmaster.pid"), "utf8").split("\n")[0]);
  } catch {
    return;
  }
  const isPostgres = () => {
    try {
      return readFileSync(`/proc/${pid}/comm`, "utf8").trim() === "postgres";
    } catch {
      return false;
    }
  };
  if (!pid || !isPostgres()) return;
  log.warn({ pid }, "stopping the embedded PostgreSQL a previous process left running");
  for (const [signal, waitMs] of [
    ["SIGINT", 10_000],
    ["SIGKILL", 5_000],
  ] as const) {
    try {
      process.kill(pid, signal);
    } catch {
      return;
    }
    for (let waited = 0; waited < waitMs && isPostgres(); waited += 50) await sleep(50, undefined, { keepAlive: true });
    if (!isPostgres()) return;
  }
}

/** One running server process, restarted if it exits while the database is open. */
class Server {
  #proc: ReturnType<typeof spawnProcess> | undefined;
  #closing = false;
  #restarts = 0;

  constructor(
    private readonly binaries: PostgresBinaries,
    private readonly dataDir: string,
    private readonly cluster: string,
    private readonly socket: string,
    private readonly log: Logger,
  ) {}

  /** Start and resolve once it accepts connections. */
  start(): Promise<void> {
    const args = ["-D", this.cluster, "-k", this.socket];
    for (const [k, v] of Object.entries(Settings)) args.push("-c", `${k}=${v}`);
    const postgres = path.join(this.binaries.binDir, "postgres");
    const p = spawnProcess({
      bin: this.binaries.wrapper[0] ?? postgres,
      args: this.binaries.wrapper.length ? [...this.binaries.wrapper.slice(1), postgres, ...args] : args,
      env: { LC_ALL: "C" },
      stdout: "ignore",
      // If this process dies, a watchdog stops the server (SIGTERM: it shuts down cleanly).
      dieWithParent: true,
      // Below the bot, in the bot's own session (so the nice value counts against it, see
      // src/process/priority.ts): with twenty commands at once the server's backends took the CPU
      // from the event loop answering Slack, while what they do (cards, queue writes) can wait a
      // few milliseconds. Its backends inherit it.
      niceness: EmbeddedServerNiceness,
    });
    this.#proc = p;
    return new Promise((resolve, reject) => {
      let ready = false;
      const output = tail(p.stderr, (line) => {
        if (!ready && line.includes("ready to accept connections")) {
          ready = true;
          this.#restarts = 0;
          resolve();
        } else if (ready && /\b(PANIC|FATAL|ERROR):/.test(line)) {
          this.log.warn({ line: excerpt(line, 300) }, "embedded PostgreSQL");
        }
      });
      void p.exited.then((exit) => {
        if (!ready) {
          reject(
            new ErrEmbeddedPostgres(
              this.dataDir,
              `did not start (${exit.error?.message ?? `exit ${exit.code ?? exit.signal}`})`,
              output(),
            ),
          );
          return;
        }
        if (this.#closing) return;
        this.log.error(
          { code: exit.code, signal: exit.signal, output: excerpt(output(), 600) },
          "the embedded PostgreSQL exited; restarting it",
        );
        this.#restart();
      });
    });
  }

  /** Start again after a growing pause (0.5 s … 10 s) until it runs or the database is closed. */
  #restart(): void {
    this.#restarts++;
    const delay = Math.min(10_000, 250 * 2 ** Math.min(this.#restarts, 6));
    void sleep(delay).then(() => {
      if (this.#closing) return;
      this.start().catch((err: unknown) => {
        this.log.error({ err: messageOf(err), retryInMs: delay }, "could not restart the embedded PostgreSQL");
        this.#restart();
      });
    });
  }

  /**
   * Smart shutdown (SIGTERM: waits for the sessions to end — the pool has just closed them; pg's
   * `Pool.end` resolves before its sockets are closed, and a fast shutdown would cut them), then
   * fast (SIGINT: open transactions roll back), then SIGKILL (crash recovery at the next start).
   */
  async stop(): Promise<void> {
    this.#closing = true;
    const p = this.#proc;
    if (!p) return;
    for (const [signal, waitMs] of [
      ["SIGTERM", 5_000],
      ["SIGINT", 10_000],
      ["SIGKILL", 0],
    ] as const) {
      if (!p.kill(signal)) break;
      const stopped = await Promise.race([p.exited.then(() => true), sleep(waitMs).then(() => false)]);
      if (stopped || signal === "SIGKILL") break;
    }
    await p.exited;
  }
}

/** The embedded server behind the `pg` adapter: the same SQL path as DATABASE_URL. */
class EmbeddedPostgresDatabase implements Database {
  readonly kind = "embedded-postgres" as const;

  constructor(
    private readonly db: Database,
    private readonly where: string,
    private readonly shutdown: () => Promise<void>,
  ) {}

  query<R extends Row>(sql: string, params?: readonly unknown[], options?: QueryOptions): Promise<QueryResult<R>> {
    return this.db.query<R>(sql, params, options);
  }
  exec(sql: string): Promise<void> {
    return this.db.exec(sql);
  }
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.db.transaction(fn);
  }
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>> {
    return this.db.listen(channel, onPayload);
  }
  notify(channel: string, payload: string): Promise<void> {
    return this.db.notify(channel, payload);
  }
  describe(): string {
    return this.where;
  }
  async close(): Promise<void> {
    try {
      await this.db.close();
    } finally {
      await this.shutdown();
    }
  }
}

/**
 * Open (or create) the embedded PostgreSQL in `dataDir`: a real server from the npm-shipped
 * binaries, in its own process, on a unix socket; the data directory is locked against a second
 * bot. The bot's event loop only parses wire messages.
 */
export async function openEmbeddedPostgres(
  dataDir: string,
  binaries: PostgresBinaries,
  options: { log?: Logger } = {},
): Promise<Database> {
  const log = options.log ?? silentLogger;
  const where = `embedded postgres ${dataDir}`;
  const release = lockWritableDataDir(dataDir);
  const cluster = path.join(path.resolve(dataDir), ClusterDirName);
  let socket: { dir: string; temporary: boolean } | undefined;
  let server: Server | undefined;
  const shutdown = async () => {
    try {
      await server?.stop();
    } finally {
      if (socket?.temporary) rmSync(socket.dir, { recursive: true, force: true });
      release();
    }
  };
  try {
    await initCluster(binaries, dataDir, cluster);
    await stopOrphan(cluster, log);
    socket = socketDir(path.resolve(dataDir));
    server = new Server(binaries, dataDir, cluster, socket.dir, log);
    await server.start();
    const url = `postgresql://postgres@localhost/postgres?host=${encodeURIComponent(socket.dir)}`;
    const db = await openPostgres(url, { log });
    return new EmbeddedPostgresDatabase(db, where, shutdown);
  } catch (err) {
    await shutdown().catch(() => undefined);
    if (err instanceof CodethreadError) throw err;
    throw new ErrDatabaseUnavailable(where, messageOf(err), err);
  }
}
