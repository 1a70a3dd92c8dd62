/**
 * A process that opens the embedded database of CODETHREAD_DATA_DIR (as `codethread start` does),
 * records one audit entry (HOLDER_ACTOR), prints `ready`, and holds it until it is killed.
 */
import { loadConfig } from "../../src/config.js";
import { silentLogger } from "../../src/log.js";
import { recordAudit } from "../../src/store/audit.js";
import { openDatabase } from "../../src/store/open.js";

const db = await openDatabase(loadConfig(process.env, "/"), silentLogger);
await recordAudit(db, { actor: process.env.HOLDER_ACTOR ?? "holder", action: "run.start" });
process.stdout.write(`ready ${db.kind}\n`);
setInterval(() => {}, 60_000);
