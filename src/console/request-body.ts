import type { IncomingMessage } from "node:http";
import type { Params } from "./faults.js";

/**
 * Request bodies as Slack's Web API takes them: form-encoded (with `blocks`, `attachments` and
 * `files` as JSON strings, as @slack/web-api sends them) or JSON; uploads as raw bytes or as the
 * file part of a multipart form.
 */
export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

const JsonFields = new Set(["blocks", "attachments", "files", "chunks"]);

export function parseParams(contentType: string, raw: string): Params {
  if (contentType.includes("application/json")) {
    try {
      return raw ? (JSON.parse(raw) as Params) : {};
    } catch {
      return {};
    }
  }
  const params: Params = {};
  for (const [k, v] of new URLSearchParams(raw)) {
    let value: unknown = v;
    if (JsonFields.has(k) && v.startsWith("[")) {
      try {
        value = JSON.parse(v);
      } catch {
        value = v; // checked (and refused) as what it is
      }
    }
    params[k] = value;
  }
  return params;
}

/** An upload's content: the body itself, or the file part of a multipart form. */
export async function uploadedText(contentType: string, raw: Buffer): Promise<string> {
  if (!contentType.startsWith("multipart/form-data")) return raw.toString("utf8");
  try {
    const form = await new Request("http://upload.invalid/", {
      method: "POST",
      headers: { "content-type": contentType },
      body: raw,
    }).formData();
    for (const value of form.values()) return typeof value === "string" ? value : await value.text();
  } catch {
    // not a form after all: keep the bytes
  }
  return raw.toString("utf8");
}
