/** The greeting for `name`; an empty name greets the world. */
export function greeting(name) {
  const who = String(name ?? "").trim() || "world";
  return `Hello, ${who}!`;
}
