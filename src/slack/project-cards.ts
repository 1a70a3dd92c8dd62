import type { BuildOutcome, BuildProgress } from "../ci/build/run-build.js";
import type { BuildPayload, ProvisionPayload, RequestOrigin } from "../ci/project-payloads.js";
import type { ProvisionEnd, ProvisionProgress, StepReport } from "../ci/provision/report.js";
import type { Logger } from "../log.js";
import type { Job } from "../store/queue/types.js";
import { applyOutcome, type BuildCardState, buildResultMessage, newBuildCard, renderBuildCard } from "./build-card.js";
import type { FinalDeliveries } from "./final-deliveries.js";
import type { ProgressEditor } from "./progress-editor.js";
import {
  applyStep,
  newProvisionCard,
  type ProvisionCardState,
  provisionSummary,
  renderProvisionCard,
} from "./provision-card.js";
import type { Block, SlackApi } from "./slack-api.js";
import { slackErrorOf } from "./slack-failure.js";

type Rendered = { text: string; blocks: Block[] };

/** A card kept live while its job runs. */
interface LiveCard {
  key: string;
  teamId: string;
  channel: string;
  /** The thread the card was posted in; absent: the card is a root message and its thread holds the results. */
  threadTs?: string;
  /** The card's ts (undefined: Slack refused the card). */
  ts: Promise<string | undefined>;
  render(): Rendered;
  /** Serialization key of the final deliveries (the job's: one project's cards end in order). */
  order: string;
}

export interface ProjectCardsDeps {
  /** Retrying client: cards and thread messages. */
  reliable: SlackApi;
  /** Non-retrying client for card edits (the editor merges and retries them under the workspace budget). */
  progress: SlackApi;
  /** The run cards' editor: provisioning and build cards spend the same chat.update budget. */
  editor: ProgressEditor;
  /** The run cards' background deliveries: a job's end never waits for Slack, close() flushes them. */
  finals: FinalDeliveries;
  log: Logger;
}

/**
 * The Slack side of `provision` and `build` jobs: a provisioning card ticked step by step, a build
 * card, and the result in the card's thread at the end (a build's failing step's log tail
 * included). Progress edits go through the run cards' ProgressEditor (same per-workspace budget,
 * coalesced); final states are delivered in the background like a run's answer and final card.
 */
export class ProjectCards {
  readonly #provisions = new Map<string, { live: LiveCard; state: ProvisionCardState; progress: ProvisionProgress }>();
  readonly #builds = new Map<string, { live: LiveCard; state: BuildCardState; progress: BuildProgress }>();

  constructor(private readonly d: ProjectCardsDeps) {}

  #open(key: string, job: Job, origin: RequestOrigin, render: () => Rendered): LiveCard {
    const live: LiveCard = {
      key,
      teamId: origin.teamId,
      channel: origin.channelId,
      threadTs: origin.threadTs,
      order: job.threadKey,
      render,
      ts: Promise.resolve(origin.cardTs),
    };
    if (!origin.cardTs) {
      live.ts = this.d.reliable
        .postMessage({ channel: live.channel, threadTs: live.threadTs, ...render() })
        .then((r) => r.ts)
        .catch((err: unknown) => {
          this.d.log.error(
            { err, channel: live.channel, slackError: slackErrorOf(err) },
            "could not post a project card",
          );
          return undefined;
        });
    }
    return live;
  }

  /** Mark the card changed; `urgent` (a step completed): no per-card wait, the workspace budget still applies. */
  #touch(live: LiveCard, stillLive: () => boolean, urgent: boolean): void {
    void live.ts.then((ts) => {
      if (!ts || !stillLive()) return;
      this.d.editor.touch(live.key, { teamId: live.teamId, channel: live.channel, ts, render: live.render }, urgent);
    });
  }

  /** No more progress edits; in the background: the message in the card's thread, then the final card. */
  #end(live: LiveCard, what: string, message: () => Rendered): void {
    const landed = this.d.editor.finish(live.key);
    this.d.finals.add(live.order, what, async () => {
      const ts = await live.ts;
      if (!ts) return;
      await this.d.reliable
        .postMessage({ channel: live.channel, threadTs: live.threadTs ?? ts, ...message() })
        .catch((err: unknown) =>
          this.d.log.warn(
            { err, channel: live.channel, slackError: slackErrorOf(err) },
            `${what}: thread message refused`,
          ),
        );
      await landed;
      await this.d.editor
        .finalEdit(
          live.teamId,
          () => this.d.progress.update({ channel: live.channel, ts, ...live.render() }),
          this.d.finals.signal,
        )
        .catch((err: unknown) =>
          this.d.log.error(
            { err, channel: live.channel, ts, slackError: slackErrorOf(err) },
            `${what}: final card refused`,
          ),
        );
    });
  }

  /** The provisioning card of a `provision` job (the job handler's progress port). */
  provision(job: Job, payload: ProvisionPayload): ProvisionProgress {
    const key = `provision:${job.id}`;
    const known = this.#provisions.get(key);
    if (known) return known.progress;
    const origin = payload.origin;
    if (!origin) return { step: async () => undefined };
    const state = newProvisionCard({ project: payload.name, template: payload.template, userId: origin.userId });
    const live = this.#open(key, job, origin, () => renderProvisionCard(state));
    const entry = { live, state, progress: {} as ProvisionProgress };
    const isLive = () => this.#provisions.get(key) === entry;
    const end = (what: string) => {
      this.#provisions.delete(key);
      this.#end(live, what, () => provisionSummary(state));
    };
    entry.progress = {
      step: async (r: StepReport) => {
        applyStep(state, r);
        this.#touch(live, isLive, r.state !== "running");
      },
      ended: async (e: ProvisionEnd) => {
        for (const r of e.steps) applyStep(state, r);
        state.status = e.status;
        end("provisioning card");
      },
      interrupted: async (reason: string) => {
        state.status = "interrupted";
        state.note = `Interrupted: ${reason}.`;
        end("provisioning card");
      },
    };
    this.#provisions.set(key, entry);
    return entry.progress;
  }

  /** The card of a `build` job and its result in the card's thread. */
  build(job: Job, payload: BuildPayload): BuildProgress {
    const key = `build:${job.id}`;
    const known = this.#builds.get(key);
    if (known) return known.progress;
    const origin = payload.origin;
    if (!origin)
      return { started: async () => undefined, finished: async () => undefined, failed: async () => undefined };
    const state = newBuildCard({ project: payload.project, branch: payload.branch, userId: origin.userId });
    const live = this.#open(key, job, origin, () => renderBuildCard(state));
    const entry = { live, state, progress: {} as BuildProgress };
    const end = () => {
      this.#builds.delete(key);
      this.#end(live, "build result", () => buildResultMessage(state));
    };
    entry.progress = {
      started: async (info) => {
        state.status = "running";
        state.branch = info.branch;
        state.pipeline = { number: info.number, url: info.url };
        this.#touch(live, () => this.#builds.get(key) === entry, true);
      },
      finished: async (o: BuildOutcome) => {
        applyOutcome(state, o);
        end();
      },
      failed: async (text: string) => {
        state.status = "error";
        state.note = text;
        end();
      },
      interrupted: async (reason: string) => {
        state.status = "interrupted";
        state.note = `Interrupted: ${reason}. Start it again with \`/agent build ${payload.project}\`.`;
        end();
      },
    };
    this.#builds.set(key, entry);
    return entry.progress;
  }
}
