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
