import type { Config } from "../config.js";
import type { Secret } from "../secret.js";
import type { CredentialStore } from "../store/credentials/store.js";
import type { CIProvider } from "./ci-provider.js";
import { ErrTokenMissing, type ResolvedCredential, resolveCredential } from "./credentials.js";
import type { Forge } from "./forge.js";
import { GiteaForge } from "./gitea/gitea-forge.js";
import { WoodpeckerCi } from "./woodpecker/woodpecker-ci.js";

/** The forge and CI codethread is configured with (either may be absent), and the tokens in use. */
export interface ForgeConnection {
  forge?: Forge;
  ci?: CIProvider;
  giteaToken?: ResolvedCredential;
  woodpeckerToken?: ResolvedCredential;
}

/** Every token value of a connection, for redaction. */
export function connectionSecrets(c: ForgeConnection): Secret[] {
  return [c.giteaToken?.value, c.woodpeckerToken?.value].filter((s): s is Secret => s !== undefined);
}

/**
 * Clients for GITEA_URL and WOODPECKER_URL with their tokens (credential store first). No
 * GITEA_URL: no forge (projects are local). A URL without a token anywhere: `ErrTokenMissing`.
 */
export async function connectForge(
  config: Pick<Config, "forge">,
  store?: CredentialStore,
  options: { timeoutMs?: number } = {},
): Promise<ForgeConnection> {
  const { gitea, woodpecker } = config.forge;
  const connection: ForgeConnection = {};
  if (gitea) {
    const token = await resolveCredential("GITEA_TOKEN", gitea.token, store);
    if (!token) throw new ErrTokenMissing("GITEA_TOKEN", "GITEA_URL");
    connection.giteaToken = token;
    connection.forge = new GiteaForge({
      url: gitea.url,
      token: token.value,
      tokenSource: token.source,
      timeoutMs: options.timeoutMs,
    });
  }
  if (woodpecker) {
    const token = await resolveCredential("WOODPECKER_API_TOKEN", woodpecker.token, store);
    if (!token) throw new ErrTokenMissing("WOODPECKER_API_TOKEN", "WOODPECKER_URL");
    connection.woodpeckerToken = token;
    connection.ci = new WoodpeckerCi({
      url: woodpecker.url,
      token: token.value,
      tokenSource: token.source,
      timeoutMs: options.timeoutMs,
    });
  }
  return connection;
}
