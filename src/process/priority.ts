import { writeFileSync } from "node:fs";
import { getPriority, setPriority } from "node:os";

/**
 * Lower a started child's CPU priority by `niceness` (its own children inherit it). Agents yield
 * the CPU to the bot: its event loop answers Slack within 3 s while a run takes minutes anyway.
 *
 * Linux with autogroup scheduling (`/proc/sys/kernel/sched_autogroup_enabled`, on by default in
 * most distributions' kernels) shares the CPU between *sessions* first and applies a process's nice
 * value only inside its session. An agent leads its own session (`detached`), so its nice value
 * alone changed nothing: twenty starting agents were twenty equal shares against the bot's one. For
 * a session leader the session's own nice value (`/proc/PID/autogroup`) is lowered too — never for a
 * child in the bot's session, whose autogroup is the bot's. Neither may be permitted (a container
 * without the file, a kernel without autogroup): the child then keeps our priority.
 */
export function lowerPriority(pid: number, niceness: number, sessionLeader: boolean): void {
  const nice = Math.min(19, getPriority(pid) + niceness);
  try {
    setPriority(pid, nice);
  } catch {
    // not permitted here
  }
  if (!sessionLeader) return;
  try {
    writeFileSync(`/proc/${pid}/autogroup`, String(nice));
  } catch {
    // no autogroup here, or not permitted
  }
}
