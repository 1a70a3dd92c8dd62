import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Workspace } from "../agents/request.js";
import { formatBytes } from "../bytes.js";
import { messageOf } from "../errors.js";
import type { Logger } from "../log.js";
import { type AttachmentRef, isImage, type SkippedFile } from "../slack/attachments.js";
import { ErrAttachmentDownload } from "../slack/errors.js";

/** Where a thread's shared files are stored, relative to its working directory. */
export const AttachmentsDir = ".codethread/attachments";

/** Fetches a shared file's bytes (NativeSlackApi.download: the bot token, files:read). */
export type DownloadFile = (url: string, maxBytes: number) => Promise<Buffer>;

export interface SavedAttachment {
  /** Relative to the working directory. */
  path: string;
  ref: AttachmentRef;
}

export interface AttachmentsOutcome {
  saved: SavedAttachment[];
  /** Files that could not be stored, with the reason a person reads. */
  failed: SkippedFile[];
}

/** A file name safe to write: no directories, no dot-files, at most 120 characters. */
export function safeName(name: string): string {
  const base = path
    .basename(name)
    .replace(/[^\w.+-]+/g, "_")
    .replace(/^\.+/, "");
  return (base || "file").slice(-120);
}

const reasonWords = (err: unknown): string => {
  if (err instanceof ErrAttachmentDownload) {
    if (err.reason === "not_a_file" || err.reason === "http_403")
      return "Slack would not hand it over (the app needs the files:read scope)";
    if (err.reason === "too_large") return "it is larger than Slack said, over the limit";
    return `the download failed (${err.reason})`;
  }
  return `it could not be stored (${messageOf(err)})`;
};

/**
 * Store a request's shared files in its thread's working directory (`.codethread/attachments/`,
 * ignored by git), each named after the message and the file, so the agent can read them. Only
 * local workspaces: a pod's directory is not written from here (the files are reported failed).
 */
export async function saveAttachments(
  download: DownloadFile,
  workspace: Workspace,
  files: AttachmentRef[],
  o: { maxBytes: number; prefix: string; log: Logger },
): Promise<AttachmentsOutcome> {
  const outcome: AttachmentsOutcome = { saved: [], failed: [] };
  if (!files.length) return outcome;
  if (workspace.kind !== "local") {
    for (const f of files)
      outcome.failed.push({ name: f.name, reason: "files cannot be passed to agents in a pod yet" });
    return outcome;
  }
  const dir = path.join(workspace.directory, AttachmentsDir);
  await mkdir(dir, { recursive: true });
  // Never part of a commit the agent or `/agent pr` makes.
  await writeFile(path.join(workspace.directory, ".codethread", ".gitignore"), "*\n");
  for (const [i, f] of files.entries()) {
    const name = `${o.prefix}-${i + 1}-${safeName(f.name)}`;
    try {
      const bytes = await download(f.url, o.maxBytes);
      await writeFile(path.join(dir, name), bytes);
      outcome.saved.push({ path: `${AttachmentsDir}/${name}`, ref: { ...f, size: bytes.length } });
    } catch (err) {
      o.log.warn({ err: messageOf(err), file: f.id }, "a shared file could not be stored");
      outcome.failed.push({ name: f.name, reason: reasonWords(err) });
    }
  }
  return outcome;
}

/** The prompt with the stored files named after it (where they are, what they are, how to read them). */
export function promptWithAttachments(prompt: string, saved: SavedAttachment[]): string {
  if (!saved.length) return prompt;
  const lines = saved.map(
    (s) =>
      `- ${s.path} (${isImage(s.ref.mimetype) ? "image, " : ""}${s.ref.mimetype}, ${formatBytes(s.ref.size)}; shared as "${s.ref.name}")`,
  );
  return [
    prompt,
    "",
    "Files shared with this request, saved in your working directory (open each with your Read tool; images are shown to you when read):",
    ...lines,
  ].join("\n");
}
