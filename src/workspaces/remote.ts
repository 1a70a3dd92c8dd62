import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import type { Secret } from "../secret.js";
import { ErrCredentialsInUrl } from "./errors.js";
import type { GitRunner } from "./git.js";

/**
 * A remote git repository and how git proves who it is there.
 *
 * The token travels as an `http.<url>.extraHeader` set through GIT_CONFIG_COUNT/KEY/VALUE in
 * the environment of that one git call: never in argv (`ps` shows argv to every local user),
 * never in a URL (git prints URLs and stores them in .git/config), never written to any config
 * file. The header is scoped to the remote's URL, so a repository-configured `insteadOf`
 * pointing elsewhere does not receive it; redirects are not followed with it.
 */

export type RemoteAuth =
  /** HTTP Basic: what Gitea and Forgejo accept from git for a personal access token (user = the bot's login). */
  | { kind: "basic"; username: string; password: Secret }
  /** `Authorization: Bearer <token>` (Gitea ≥1.x and Forgejo accept it for git too). */
  | { kind: "bearer"; token: Secret }
  | { kind: "none" };

export interface Remote {
  /** `https://…/owner/repo.git` (no credentials), or an absolute path to a local repository. */
  url: string;
  auth: RemoteAuth;
}

/** What a git call talking to the remote needs: config in its environment, and the values to redact. */
export interface RemoteCall {
  env: Record<string, string>;
  secrets: string[];
}

/** Refuses URLs with credentials; accepts http(s) URLs and absolute local paths. */
export function checkRemoteUrl(url: string): string {
  if (path.isAbsolute(url)) return url;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ErrCredentialsInUrl("a remote that is neither a URL nor an absolute path");
  }
  if (parsed.username || parsed.password) throw new ErrCredentialsInUrl(parsed.host);
  return url;
}

/** `Authorization: …` for `remote` (none for local paths or `auth: none`), and the values to redact. */
export function authorizationHeader(remote: Remote): { header?: string; secrets: string[] } {
  if (remote.auth.kind === "none" || path.isAbsolute(checkRemoteUrl(remote.url))) return { secrets: [] };
  const raw = remote.auth.kind === "basic" ? remote.auth.password.reveal() : remote.auth.token.reveal();
  const credential =
    remote.auth.kind === "basic" ? Buffer.from(`${remote.auth.username}:${raw}`).toString("base64") : raw;
  const scheme = remote.auth.kind === "basic" ? "Basic" : "Bearer";
  return { header: `Authorization: ${scheme} ${credential}`, secrets: [raw, credential] };
}

/** The environment and secrets of one git call to `remote`. */
export function remoteCall(remote: Remote): RemoteCall {
  const url = checkRemoteUrl(remote.url);
  const config: [string, string][] = [["http.followRedirects", "false"]];
  const { header, secrets } = authorizationHeader(remote);
  if (header) config.push([`http.${url}.extraHeader`, header]);
  const env: Record<string, string> = { GIT_CONFIG_COUNT: String(config.length) };
  config.forEach(([key, value], i) => {
    env[`GIT_CONFIG_KEY_${i}`] = key;
    env[`GIT_CONFIG_VALUE_${i}`] = value;
  });
  return { env, secrets };
}

/** Network calls may take longer than local ones. */
export const RemoteTimeoutMs = 10 * 60_000;

/**
 * Bring the project's bare copy at `repoDir` (`forgeCopyDir`) up to date with `remote`: create it when
 * missing, fetch every branch into `refs/remotes/origin/*` (never over the threads' local
 * branches), and point `origin/HEAD` at the remote's default branch. Returns that branch.
 * Safe to repeat; what a thread pushed shows as `origin/codethread/…` afterwards.
 */
export async function syncProject(git: GitRunner, repoDir: string, remote: Remote): Promise<string> {
  const url = checkRemoteUrl(remote.url);
  if (!existsSync(path.join(repoDir, "HEAD"))) {
    mkdirSync(path.dirname(repoDir), { recursive: true });
    await git.run(["init", "--bare", "-q", repoDir], { cwd: path.dirname(repoDir) });
  }
  const auth = remoteCall(remote);
  const call = { cwd: repoDir, env: auth.env, secrets: auth.secrets, timeoutMs: RemoteTimeoutMs };
  await git.run(["config", "remote.origin.url", url], { cwd: repoDir });
  const heads = await git.text(["ls-remote", "--symref", url, "HEAD"], call);
  const head = /^ref: refs\/heads\/(\S+)\tHEAD$/m.exec(heads)?.[1];
  await git.run(["fetch", "--no-tags", "--prune", "-q", url, "+refs/heads/*:refs/remotes/origin/*"], call);
  if (head) {
    await git.run(["symbolic-ref", "refs/remotes/origin/HEAD", `refs/remotes/origin/${head}`], { cwd: repoDir });
    await git.run(["symbolic-ref", "HEAD", `refs/heads/${head}`], { cwd: repoDir });
  }
  return head ?? "main";
}
