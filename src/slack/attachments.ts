import { formatBytes } from "../bytes.js";
import type { SlackFile } from "./native-api.js";

/** A file shared with a request that goes to the agent (stored in the job payload). */
export interface AttachmentRef {
  id: string;
  name: string;
  mimetype: string;
  size: number;
  /** Slack's url_private_download (else url_private): fetched with the bot token. */
  url: string;
}

export interface SkippedFile {
  name: string;
  reason: string;
}

/** At most this many files of one message reach the agent. */
export const MaxAttachments = 10;

/** Images Claude Code reads as images (its Read tool), PDFs, and text of any kind (logs, code, data). */
const ImageTypes = new Set(["image/png", "image/jpeg", "image/gif", "image/webp"]);
const TextTypes = new Set([
  "application/json",
  "application/xml",
  "application/yaml",
  "application/x-yaml",
  "application/javascript",
  "application/typescript",
  "application/x-sh",
  "application/sql",
  "application/toml",
  "application/pdf",
]);
/** Slack's own `filetype`s of text snippets and logs (a `.log` upload is often `application/octet-stream`). */
const TextFiletypes = new Set([
  "text",
  "log",
  "csv",
  "markdown",
  "diff",
  "patch",
  "json",
  "yaml",
  "xml",
  "javascript",
  "typescript",
  "python",
  "go",
  "rust",
  "java",
  "shell",
  "sql",
  "html",
  "css",
]);
const TextExtensions =
  /\.(txt|log|md|csv|tsv|json|ya?ml|xml|toml|ini|cfg|conf|diff|patch|js|mjs|cjs|ts|tsx|jsx|py|go|rs|java|kt|rb|php|c|h|cc|cpp|hpp|cs|sh|bash|zsh|sql|html|css|scss|env\.example|out|err|trace)$/i;

export function isImage(mimetype: string): boolean {
  return ImageTypes.has(mimetype);
}

function acceptedType(f: SlackFile): boolean {
  if (ImageTypes.has(f.mimetype) || f.mimetype.startsWith("text/") || TextTypes.has(f.mimetype)) return true;
  return TextFiletypes.has(f.filetype ?? "") || TextExtensions.test(f.name);
}

/**
 * Which of a message's files go to the agent: images, PDFs and text files up to `maxBytes` each,
 * at most `MaxAttachments`; the rest are skipped with a reason a person reads (the thread is told).
 * Files Slack hosts elsewhere (Google Drive links, `external` mode) have nothing to download.
 */
export function selectAttachments(
  files: SlackFile[],
  maxBytes: number,
): { accepted: AttachmentRef[]; skipped: SkippedFile[] } {
  const accepted: AttachmentRef[] = [];
  const skipped: SkippedFile[] = [];
  for (const f of files) {
    const url = f.url_private_download ?? f.url_private;
    if (!url || f.mode === "external" || f.mode === "tombstone") {
      skipped.push({ name: f.name, reason: "it is not stored in Slack, so there is nothing to download" });
    } else if (!acceptedType(f)) {
      skipped.push({
        name: f.name,
        reason: `files of type ${f.mimetype} are not passed on (images, PDFs and text files are)`,
      });
    } else if (f.size > maxBytes) {
      skipped.push({
        name: f.name,
        reason: `it is ${formatBytes(f.size)}, over the limit of ${formatBytes(maxBytes)}`,
      });
    } else if (accepted.length >= MaxAttachments) {
      skipped.push({ name: f.name, reason: `only the first ${MaxAttachments} files of a message are passed on` });
    } else {
      accepted.push({ id: f.id, name: f.name, mimetype: f.mimetype, size: f.size, url });
    }
  }
  return { accepted, skipped };
}

/** The thread message naming the files that were left out, and why. */
export function skippedText(skipped: SkippedFile[]): string {
  const lines = skipped.map((s) => `• \`${s.name.replace(/`/g, "'")}\`: ${s.reason}`);
  return `:warning: ${skipped.length === 1 ? "A file was" : "Some files were"} not passed to the agent:\n${lines.join("\n")}`;
}
