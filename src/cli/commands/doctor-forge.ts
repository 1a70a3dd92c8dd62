import { DefaultAvailabilityTimeoutMs } from "../../agents/port.js";
import { connectForge, type ForgeConnection } from "../../ci/connection.js";
import type { ResolvedCredential } from "../../ci/credentials.js";
import type { Config } from "../../config.js";
import { CodethreadError, messageOf } from "../../errors.js";
import { openCredentialStore } from "../../store/credentials/store.js";
import type { Database } from "../../store/database.js";

/** One line of `codethread doctor`. */
export interface Check {
  name: string;
  status: "ok" | "warn" | "fail";
  detail: string;
}

function source(t: ResolvedCredential | undefined): string {
  if (!t) return "";
  return t.source === "store" ? `${t.name} from the credential store` : `${t.name} from the environment`;
}

const why = (err: unknown) => (err instanceof CodethreadError ? err.message : `unexpected error: ${messageOf(err)}`);

async function checkGitea(c: ForgeConnection): Promise<Check> {
  const forge = c.forge!;
  const from = source(c.giteaToken);
  try {
    const server = await forge.server();
    const me = await forge.whoami();
    const scopes = await forge.probeScopes();
    const missing = scopes.filter((s) => !s.granted).map((s) => s.scope);
    const granted = scopes.filter((s) => s.granted).map((s) => s.scope);
    const label = server.flavor === "forgejo" ? "Forgejo" : "Gitea";
    const who = `${label} ${server.version} at ${forge.baseUrl}: token of ${me.login}${me.isAdmin ? " (site admin)" : ""}, ${from}`;
    const read = `readable: ${granted.join(", ") || "nothing"}`;
    if (missing.length) {
      return {
        name: "forge",
        status: "fail",
        detail: `${who}; the token lacks ${missing.join(", ")} (${read}). Create a token for ${me.login} with write:repository, write:user and write:organization, and set ${c.giteaToken?.name ?? "GITEA_TOKEN"} (or store it: printf %s "$TOKEN" | codethread secrets set GITEA_TOKEN).`,
      };
    }
    return {
      name: "forge",
      status: "ok",
      detail: `${who}; ${read}. Write scopes (write:repository, write:user, write:organization) cannot be probed without writing: \`project new\` names one that is missing.`,
    };
  } catch (err) {
    return { name: "forge", status: "fail", detail: `${forge.baseUrl} (${from}): ${why(err)}` };
  }
}

async function checkWoodpecker(c: ForgeConnection): Promise<Check> {
  const ci = c.ci!;
  const from = source(c.woodpeckerToken);
  try {
    const version = await ci.version();
    const me = await ci.whoami();
    return {
      name: "ci",
      status: "ok",
      detail: `Woodpecker ${version} at ${ci.baseUrl}: token of ${me.login}${me.admin ? " (admin)" : ""}, ${from}. Woodpecker tokens have no scopes: they act as their user, who must be an admin of the repositories it activates (log in to Woodpecker once as the forge bot user).`,
    };
  } catch (err) {
    return { name: "ci", status: "fail", detail: `${ci.baseUrl} (${from}): ${why(err)}` };
  }
}

/**
 * The forge and CI of `project new` and `build`: for each, the server's version, whose token it is,
 * which scopes can be proven (Gitea's read scopes; Woodpecker has none), and whether the token came
 * from the credential store or the environment (the store wins, as in `start`). `db` is the doctor's
 * one connection to the bot's database (absent: it could not be opened).
 */
export async function checkForge(config: Config, db: Database | undefined): Promise<Check[]> {
  if (!config.forge.gitea) {
    return [
      {
        name: "forge",
        status: "ok",
        detail: `not configured: \`project new\` makes local git repositories in ${config.database.dataDir}/projects. For a forge and CI, set GITEA_URL, GITEA_TOKEN, WOODPECKER_URL and WOODPECKER_API_TOKEN (README, "Connect Gitea and Woodpecker").`,
      },
    ];
  }
  const checks: Check[] = [];
  let connection: ForgeConnection;
  try {
    const store = db && config.secretKey ? openCredentialStore(db, config.secretKey) : undefined;
    connection = await connectForge(config, store, { timeoutMs: DefaultAvailabilityTimeoutMs });
  } catch (err) {
    return [{ name: "forge", status: "fail", detail: why(err) }];
  }
  checks.push(await checkGitea(connection));
  checks.push(
    connection.ci
      ? await checkWoodpecker(connection)
      : {
          name: "ci",
          status: "warn",
          detail: `WOODPECKER_URL is not set: new projects get a repository but no CI. Set WOODPECKER_URL and WOODPECKER_API_TOKEN (README, "Connect Gitea and Woodpecker").`,
        },
  );
  return checks;
}
