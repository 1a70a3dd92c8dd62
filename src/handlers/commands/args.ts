import { decodeSlackText } from "../../slack/incoming-text.js";
import type { ParsedArgs } from "./types.js";

const optionWord = /^([a-z][a-z0-9_-]*)=(.*)$/i;

/** Split a command's arguments into words and `key=value` options (Slack markup decoded). */
export function parseArgs(raw: string): ParsedArgs {
  const text = decodeSlackText(raw).trim();
  const words: string[] = [];
  const options: Record<string, string> = {};
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const m = optionWord.exec(word);
    if (m) options[m[1]!.toLowerCase()] = m[2]!;
    else words.push(word);
  }
  return { text, words, options, raw: raw.trim() };
}

/** The first word of a message (lower case) and the text after it, whitespace kept. */
export function firstWord(text: string): { word: string; rest: string } {
  const m = /^\s*(\S+)([\s\S]*)$/.exec(text);
  return m ? { word: m[1]!.toLowerCase(), rest: m[2]! } : { word: "", rest: "" };
}

export type FlagSpec = Record<string, "string" | "boolean">;

export type Flags<S extends FlagSpec> =
  | {
      ok: true;
      positionals: string[];
      values: { [K in keyof S]?: S[K] extends "string" ? string : boolean };
    }
  | { ok: false; message: string };

/**
 * `--name value`, `--name=value` and `--flag` words (a dash Slack or a keyboard turned into an
 * en or em dash is read as `--`), the rest positional. An unknown flag or a missing value is a
 * sentence to show.
 */
export function parseFlags<S extends FlagSpec>(words: readonly string[], spec: S): Flags<S> {
  const positionals: string[] = [];
  const values: Record<string, string | boolean> = {};
  for (let i = 0; i < words.length; i++) {
    const m = /^(?:--|—|–)([a-z][a-z0-9-]*)(?:=(.*))?$/i.exec(words[i]!);
    if (!m) {
      positionals.push(words[i]!);
      continue;
    }
    const name = m[1]!.toLowerCase();
    const kind = spec[name];
    if (!kind) return { ok: false, message: `Unknown option \`--${name}\`.` };
    if (kind === "boolean") {
      if (m[2] !== undefined) return { ok: false, message: `\`--${name}\` takes no value.` };
      values[name] = true;
      continue;
    }
    const value = m[2] ?? words[++i];
    if (!value || /^(?:--|—|–)/.test(value)) return { ok: false, message: `\`--${name}\` needs a value.` };
    values[name] = value;
  }
  return { ok: true, positionals, values: values as Extract<Flags<S>, { ok: true }>["values"] };
}
