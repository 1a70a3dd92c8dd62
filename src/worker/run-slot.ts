import type { Job } from "../store/queue/types.js";
import type { PermissionListener, StopReason } from "./handler.js";

/** The in-process state of one job this worker runs: its abort signal and control listeners. */
export class RunSlot {
  readonly controller = new AbortController();
  #reason: StopReason | undefined;
  #permission: PermissionListener | undefined;

  constructor(readonly job: Job) {}

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  stopReason(): StopReason | undefined {
    return this.#reason;
  }

  /** The first reason wins; later ones are ignored. */
  stop(reason: StopReason): void {
    if (this.#reason) return;
    this.#reason = reason;
    this.controller.abort(reason);
  }

  onPermission(listener: PermissionListener): void {
    this.#permission = listener;
  }

  permissionListener(): PermissionListener | undefined {
    return this.#permission;
  }
}
