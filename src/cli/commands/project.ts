import { userInfo } from "node:os";
import { parseArgs } from "node:util";
import { z } from "zod";
import { ProjectService } from "../../ci/project-service.js";
import { formatStep } from "../../ci/provision/report.js";
import { loadConfig, loadDotEnv } from "../../config.js";
import { createLogger } from "../../log.js";
import { openCredentialStore } from "../../store/credentials/store.js";
import { openDatabase } from "../../store/open.js";
import { createJobQueue } from "../../store/queue/sql-job-queue.js";
import { ErrUsage, parseOrUsage } from "../errors.js";
import { type CliIO, writeLine } from "../io.js";

export const projectHelp = `Usage: codethread project <command>

Projects: a repository from a template, with Woodpecker CI and a first build (what
\`/agent project\` does in Slack, for scripts). With GITEA_URL unset, a local git repository
in CODETHREAD_DATA_DIR/projects.

Commands:
  new NAME [--template node|go|<operator template>] [--private] [--org ORG] [--description TEXT]
        Create the project, or finish one a failed step left incomplete (safe to run again).
        Prints each step as it completes. Exit codes: 0 ready, 3 needs a person (⚠/✗ after the
        repository step), 1 failed, 2 bad arguments.
  list [--json]
        Name, status, CI status of the default branch, repository and bound channels.`;

const ListJson = z.array(
  z.object({
    name: z.string(),
    location: z.enum(["forge", "local"]),
    status: z.string(),
    ci: z.string(),
    repoUrl: z.string().nullable(),
    ciUrl: z.string().nullable(),
    channels: z.array(z.object({ teamId: z.string(), channelId: z.string() })),
  }),
);

/** Who ran the command, for the audit log (a container may have no passwd entry). */
function cliActor(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return "cli";
  }
}

async function withService<T>(io: CliIO, fn: (service: ProjectService) => Promise<T>): Promise<T> {
  loadDotEnv(`${io.cwd}/.env`);
  const config = loadConfig(io.env, io.cwd);
  const log = createLogger({ level: "warn", format: config.log.format });
  const db = await openDatabase(config, log);
  try {
    const credentials = config.secretKey ? openCredentialStore(db, config.secretKey) : undefined;
    return await fn(new ProjectService({ db, queue: createJobQueue(db), config, log, credentials }));
  } finally {
    await db.close();
  }
}

async function newProject(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseOrUsage(projectHelp, () =>
    parseArgs({
      args,
      options: {
        template: { type: "string", default: "node" },
        private: { type: "boolean", default: false },
        org: { type: "string" },
        description: { type: "string", default: "" },
      },
      allowPositionals: true,
      strict: true,
    }),
  );
  const [name, ...extra] = positionals;
  if (!name || extra.length) throw new ErrUsage("project new takes one NAME.", projectHelp);
  const outcome = await withService(io, (service) =>
    service.provision(
      {
        name,
        template: values.template,
        description: values.description,
        private: values.private,
        org: values.org,
        actor: cliActor(),
      },
      {
        step: async (r) => {
          if (r.state !== "running") writeLine(io.stdout, formatStep(r));
        },
      },
    ),
  );
  const summary = {
    ready: `Project ${name} is ready.`,
    needs_attention: `Project ${name} needs attention (⚠/✗ above); run this command again once it is fixed.`,
    failed: `Project ${name} was not created.`,
  }[outcome.status];
  writeLine(io.stdout, summary);
  return { ready: 0, needs_attention: 3, failed: 1 }[outcome.status];
}

async function listProjects(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseOrUsage(projectHelp, () =>
    parseArgs({ args, options: { json: { type: "boolean", default: false } }, allowPositionals: true, strict: true }),
  );
  if (positionals.length) throw new ErrUsage("project list takes no arguments.", projectHelp);
  const list = ListJson.parse(await withService(io, (service) => service.list()));
  if (values.json) {
    writeLine(io.stdout, JSON.stringify(list, null, 2));
    return 0;
  }
  if (!list.length) writeLine(io.stdout, "No projects yet. Make one: codethread project new NAME --template node");
  for (const p of list) {
    const channels = p.channels.map((c) => c.channelId).join(",") || "-";
    writeLine(io.stdout, `${p.name}  ${p.status}  ci:${p.ci}  ${p.repoUrl ?? "-"}  channels:${channels}`);
  }
  return 0;
}

export async function projectCommand(argv: string[], io: CliIO): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === "--help" || command === "-h") {
    writeLine(command ? io.stdout : io.stderr, projectHelp);
    return command ? 0 : 2;
  }
  if (command === "new") return newProject(rest, io);
  if (command === "list") return listProjects(rest, io);
  throw new ErrUsage(`Unknown project command "${command}".`, projectHelp);
}
