/** Cut `text` to `max` characters, marking the cut with `…`. */
export function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** `$0.0042` below a cent, else `$1.25`. */
export function formatUsd(usd: number): string {
  return usd < 0.01 ? `$${usd.toFixed(4)}` : `$${usd.toFixed(2)}`;
}

/** Terminal escape sequences (colours, cursor moves, titles). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching escape sequences is the point
export const AnsiEscape = /\u001b(?:\[[0-9;?]*[ -/]*[@-~]|\][^\u0007\u001b]*(?:\u0007|\u001b\\)|[@-Z\\-_])/g;

/** Control characters but tab and newline (and the `\r` of a `\r\n`). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
const Controls = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]|\r(?!\n)/g;

/** Text that is safe to write to a terminal: escape sequences and control characters removed, lines kept. */
export function terminalSafe(text: string): string {
  return text.replace(AnsiEscape, "").replace(Controls, "");
}
