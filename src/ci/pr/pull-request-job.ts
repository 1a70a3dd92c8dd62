import { messageOf } from "../../errors.js";
import type { Logger } from "../../log.js";
import {
  noChanges,
  noForge,
  pullRequestFailed,
  pullRequestOpened,
  pullRequestUnchanged,
  pullRequestUpdated,
} from "../../slack/pr-messages.js";
import { threadLink } from "../../slack/thread-link.js";
import { recordAudit } from "../../store/audit.js";
import type { Database } from "../../store/database.js";
import type { Project } from "../../store/projects.js";
import { savePullRequest, threadPullRequest } from "../../store/pull-requests.js";
import { threadPrompts } from "../../store/queue/thread-prompts.js";
import type { JobQueue } from "../../store/queue/types.js";
import { threadKey as keyOf } from "../../store/thread-key.js";
import { truncate } from "../../text.js";
import type { JobHandler, JobOutcome } from "../../worker/handler.js";
import type { ThreadPoster } from "../../worker/publisher.js";
import { describeChanges } from "../../workspaces/changes.js";
import { commitWorktree, pushBranch } from "../../workspaces/commit-push.js";
import { fetchInstructions } from "../../workspaces/local-projects.js";
import type { ForgeConnection } from "../connection.js";
import { ErrInvalidProjectJob } from "../project-jobs.js";
import { hasForge, type ThreadProjects, threadTrailers } from "../thread-projects.js";
import { type CiWatchPayload, ciWatchKey, PullRequestPayload } from "./payloads.js";

export interface PullRequestJobDeps {
  db: Database;
  queue: JobQueue;
  threads: ThreadProjects;
  connect(): Promise<ForgeConnection>;
  poster: ThreadPoster;
  log: Logger;
  /** How long a CI watch waits for a verdict (default 30 minutes). */
  ciDeadlineMs?: number;
}

export const DefaultCiDeadlineMs = 30 * 60_000;

/** `owner/name` of the project's forge repository. */
export function forgeRepoOf(project: Project): { owner: string; repo: string } | undefined {
  const m = /\/([^/]+)\/([^/]+?)(?:\.git)?\/?$/.exec(project.cloneUrl ?? project.repoUrl ?? "");
  const owner = project.owner ?? m?.[1];
  const repo = m?.[2] ?? project.name;
  return owner ? { owner, repo } : undefined;
}

/** The title and description of a thread's pull request: its prompts, the change summary, the thread. */
function describePullRequest(prompts: string[], stat: string, link: string): { title: string; body: string } {
  const first = prompts[0]?.trim() ?? "Changes from Slack";
  const title = truncate(first.split("\n")[0] ?? first, 72);
  const asked = prompts.map((p) => `> ${truncate(p.trim(), 1_000).replace(/\n/g, "\n> ")}`).join("\n\n");
  const body = [
    "## What was asked",
    asked || "_(no prompt recorded)_",
    "## Summary",
    "```",
    stat.trimEnd(),
    "```",
    `Opened from [a Slack thread](${link}) by codethread.`,
  ].join("\n\n");
  return { title, body };
}

/**
 * The `pull_request` job: commit the thread's worktree (author: the Slack user; a trailer linking
 * the thread), push its branch with the bot's token (in git's environment only), and open the
 * pull request once per thread and branch — a second click, a retried delivery or a later run
 * reuses it and only pushes. Then a `ci_watch` job waits for the CI verdict of the pushed commit.
 */
export function pullRequestJobHandler(deps: PullRequestJobDeps): JobHandler {
  const { db, threads, log } = deps;
  return {
    async run(ctx): Promise<JobOutcome> {
      const parsed = PullRequestPayload.safeParse(ctx.job.payload);
      if (!parsed.success) throw new ErrInvalidProjectJob(ctx.job.id, ctx.job.kind, parsed.error.message);
      const p = parsed.data;
      const where = { channel: p.channelId, threadTs: p.threadTs };
      const key = keyOf(p);
      const post = (m: { text: string; blocks: unknown[] }) =>
        deps.poster
          .postInThread(where, m)
          .catch((err: unknown) => log.warn({ err: messageOf(err) }, "could not post in the thread"));
      try {
        const project = await threads.project(p.project);
        const place = await threads.localPlace(project, key);
        const { worktree } = place;
        const author = await threads.author(p.userId, p.userName);
        const prompts = await threadPrompts(db, key);
        if (!hasForge(project) || !place.remote) {
          await commitWorktree(threads.git, worktree.path, {
            author,
            message: prompts.at(-1) ?? "Changes from Slack",
            trailers: threadTrailers(key),
          });
          await post(noForge(worktree.branch, fetchInstructions(place.repo.repoDir, worktree.branch)));
          return { status: "succeeded" };
        }
        const baseRef = `refs/remotes/origin/${project.defaultBranch}`;
        const branchChanges = await describeChanges(threads.git, worktree.path, { since: baseRef });
        const existing = await threadPullRequest(db, key);
        if (branchChanges.kind === "none" && !existing) {
          await post(noChanges(worktree.branch));
          return { status: "succeeded" };
        }
        await commitWorktree(threads.git, worktree.path, {
          author,
          message: prompts.at(-1) ?? "Changes from Slack",
          trailers: threadTrailers(key),
        });
        const pushed = await pushBranch(threads.git, worktree.path, place.remote, worktree.branch);
        const connection = await deps.connect();
        const forge = connection.forge;
        const target = forgeRepoOf(project);
        if (!forge || !target)
          throw new ErrInvalidProjectJob(ctx.job.id, ctx.job.kind, "the project has no forge repository");
        let pr = existing;
        let opened = false;
        if (!pr) {
          const found = await forge.findPullRequest(target.owner, target.repo, worktree.branch);
          const made =
            found ??
            (await forge.createPullRequest(target.owner, target.repo, {
              head: worktree.branch,
              base: project.defaultBranch,
              ...describePullRequest(
                prompts,
                branchChanges.kind === "changed" ? (branchChanges.fullStat ?? branchChanges.stat) : "",
                threadLink(p),
              ),
            }));
          opened = !found;
          pr = {
            threadKey: key,
            branch: worktree.branch,
            project: project.name,
            base: made.base.ref,
            number: made.number,
            url: made.htmlUrl,
            headSha: pushed.commit,
            createdBy: p.userId,
          };
        }
        const before = pr.headSha;
        pr = await savePullRequest(db, { ...pr, headSha: pushed.commit });
        const moved = existing ? before !== pushed.commit : true;
        await recordAudit(db, {
          actor: p.userId,
          action: opened ? "pr.open" : moved ? "pr.update" : "pr.reuse",
          threadKey: key,
          detail: {
            project: project.name,
            number: pr.number,
            url: pr.url,
            branch: pr.branch,
            base: pr.base,
            commit: pushed.commit,
            source: p.source,
          },
        }).catch((err: unknown) => log.warn({ err: messageOf(err) }, "could not write the pull request audit record"));
        if (moved || opened) {
          const watch: CiWatchPayload = {
            teamId: p.teamId,
            channelId: p.channelId,
            threadTs: p.threadTs,
            project: project.name,
            owner: target.owner,
            repo: target.repo,
            branch: pr.branch,
            sha: pushed.commit,
            prNumber: pr.number,
            prUrl: pr.url,
            deadlineAt: new Date(Date.now() + (deps.ciDeadlineMs ?? DefaultCiDeadlineMs)).toISOString(),
            deadlineMinutes: Math.max(1, Math.round((deps.ciDeadlineMs ?? DefaultCiDeadlineMs) / 60_000)),
            generation: 0,
          };
          await deps.queue.enqueue({
            kind: "ci_watch",
            threadKey: ciWatchKey(key, pushed.commit),
            payload: watch,
            dedupeKey: `${ciWatchKey(key, pushed.commit)}:0`,
          });
        }
        // The link once the watch is queued: a restart from here on still brings the verdict.
        if (opened || !existing) await post(pullRequestOpened({ ...pr, branch: pr.branch, base: pr.base }));
        else if (moved) await post(pullRequestUpdated({ ...pr, sha: pushed.commit }));
        else await post(pullRequestUnchanged(pr));
        return { status: "succeeded" };
      } catch (err) {
        log.warn({ jobId: ctx.job.id, err: messageOf(err) }, "pull request failed");
        await post(pullRequestFailed(messageOf(err)));
        return { status: "failed", error: messageOf(err) };
      }
    },
  };
}
