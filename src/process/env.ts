/**
 * The environment of every process codethread starts (agents, `opencode serve`, `kubectl`, `git`).
 *
 * An **allow-list**, deliberately. An agent runs whatever a Slack message asks for, so whatever is
 * in its environment is readable by anyone who can post in an allowed channel. A deny-list fails
 * open: every new secret an operator adds (a forge token, a cloud key, a second database) would
 * leak until someone remembers to list it. The allow-list fails closed: a variable the agent
 * needs and does not get shows up as a visible error in a run, and the operator names it in
 * `CODETHREAD_AGENT_ENV`. A child inherits from the bot's environment only:
 *
 * 1. `BaseInherit` — what any program needs: PATH, HOME, user and shell, temp dirs, locale
 *    (LANG, LC_*), TERM, TZ, XDG_* directories, proxy settings and CA bundles;
 * 2. the names a caller declares for its program (a provider's credentials and settings:
 *    ANTHROPIC_API_KEY, CLAUDE_CODE_*, OPENCODE_*…; `kubectl`'s KUBECONFIG);
 * 3. the names the operator lists in `CODETHREAD_AGENT_ENV`.
 *
 * Names matched by a *prefix* (LC_, XDG_, CLAUDE_CODE_…) are still dropped when they look like a
 * secret (…_TOKEN, …_SECRET, …_PASSWORD, …_KEY): such a variable passes only when named exactly.
 * codethread's own secrets and settings (`isBotPrivate`: SLACK_*, DATABASE_URL, CODETHREAD_*,
 * GITEA_*, WOODPECKER_*, OPENCODE_SERVER_*, …) never pass, whoever lists them. Values the caller
 * sets explicitly (`set`: a CLAUDE_CONFIG_DIR, the embedded server's own password) are the
 * caller's decision and are not filtered.
 */

/** Which of the bot's variables a child may inherit: exact names and name prefixes. */
export interface InheritPolicy {
  readonly names?: readonly string[];
  readonly prefixes?: readonly string[];
}

/** What every child inherits. */
export const BaseInherit: InheritPolicy = {
  names: [
    "PATH",
    "HOME",
    "USER",
    "LOGNAME",
    "SHELL",
    "TMPDIR",
    "TMP",
    "TEMP",
    "LANG",
    "LANGUAGE",
    "TERM",
    "TZ",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "NO_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "no_proxy",
    "all_proxy",
    "NODE_EXTRA_CA_CERTS",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
  ],
  prefixes: ["LC_", "XDG_"],
};

/** codethread's own variables: secrets and settings that are nobody else's business. */
const BotPrivate =
  /^(SLACK_|CODETHREAD_|GITEA_|FORGEJO_|WOODPECKER_|OPENCODE_SERVER_)|^(TEST_)?DATABASE_URL$|^(CLAUDE_(BIN|MODEL|MAX_TURNS|CONFIG_ROOT)|OPENCODE_(URL|BIN|MODEL)|KUBECTL_BIN)$/;

/** Names that look like a credential: inherited only when listed by exact name. */
const SecretShaped = /_(TOKEN|SECRET|PASSWORD|KEY)$/i;

/** A portable environment variable name. */
export const EnvName = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** True for codethread's own secrets and settings, which never reach a child's environment. */
export function isBotPrivate(name: string): boolean {
  return BotPrivate.test(name);
}

/** May the child inherit `name` under these policies? */
export function inherits(name: string, policies: readonly InheritPolicy[]): boolean {
  if (isBotPrivate(name)) return false;
  const all = [BaseInherit, ...policies];
  if (all.some((p) => p.names?.includes(name))) return true;
  if (SecretShaped.test(name)) return false;
  return all.some((p) => p.prefixes?.some((prefix) => name.startsWith(prefix)));
}

export interface ChildEnvSpec {
  /** On top of `BaseInherit`: the program's declared names, the operator's CODETHREAD_AGENT_ENV. */
  inherit?: readonly InheritPolicy[];
  /** Values set by the caller (not filtered), applied over the inherited ones. */
  set?: Readonly<Record<string, string>>;
  /** Names removed at the end (e.g. an inherited IS_SANDBOX). */
  unset?: readonly string[];
}

/**
 * The one function that builds a child's environment: the allow-listed part of `source` (the
 * bot's environment), then `set`, minus `unset`. See the file comment for the rules.
 */
export function childEnv(spec: ChildEnvSpec = {}, source: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const policies = spec.inherit ?? [];
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(source)) {
    if (value !== undefined && inherits(name, policies)) env[name] = value;
  }
  Object.assign(env, spec.set);
  for (const name of spec.unset ?? []) delete env[name];
  return env;
}
