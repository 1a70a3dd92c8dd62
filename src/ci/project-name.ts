import { ErrInvalidProjectName } from "./errors.js";

/** A name valid as a Gitea/Forgejo repository name (AlphaDashDot, at most 100, not reserved). */
export function checkProjectName(name: string): void {
  if (!/^[A-Za-z0-9_.-]{1,100}$/.test(name) || /\.(git|wiki)$/i.test(name) || name === "." || name === "..") {
    throw new ErrInvalidProjectName(name);
  }
}
