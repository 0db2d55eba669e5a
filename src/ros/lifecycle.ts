/**
 * The managed-node state machine (the primary states of ROS 2 lifecycle nodes), kept by
 * the grounding node itself so that plain mode and lifecycle mode follow the same order
 * and misuse fails the same way in both.
 */
import { StateError } from "../errors";

export type LifecycleState = "unconfigured" | "inactive" | "active" | "finalized";

export type Transition = "configure" | "activate" | "deactivate" | "cleanup" | "shutdown";

/** Start states from which each transition is allowed, and where it leads. */
const TRANSITIONS: Record<Transition, { from: readonly LifecycleState[]; to: LifecycleState; hint: string }> = {
  configure: { from: ["unconfigured"], to: "inactive", hint: "call cleanup() before configuring again" },
  activate: { from: ["inactive"], to: "active", hint: "call configure() before activate()" },
  deactivate: { from: ["active"], to: "inactive", hint: "call activate() before deactivate()" },
  cleanup: { from: ["inactive"], to: "unconfigured", hint: "call deactivate() before cleanup()" },
  shutdown: {
    from: ["unconfigured", "inactive", "active"],
    to: "finalized",
    hint: "a finalized node cannot be shut down again",
  },
};

export class LifecycleStateMachine {
  private current: LifecycleState = "unconfigured";

  get state(): LifecycleState {
    return this.current;
  }

  /**
   * Throws StateError when `transition` is not allowed from the current state. The
   * message names the method, the current state and the required order.
   */
  check(transition: Transition): void {
    const rule = TRANSITIONS[transition];
    if (rule.from.includes(this.current)) {
      return;
    }
    const allowed = rule.from.join(" or ");
    throw new StateError(
      `${transition}() requires the node to be ${allowed} but it is ${this.current}; ${rule.hint}.`,
    );
  }

  /** Records a completed transition. */
  complete(transition: Transition): LifecycleState {
    this.check(transition);
    this.current = TRANSITIONS[transition].to;
    return this.current;
  }
}
