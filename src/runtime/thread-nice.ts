/**
 * Unix nice value of the calling thread. On Linux the nice value belongs to each thread,
 * so the main thread and the inference worker each set their own, while elsewhere it
 * applies to the whole process. With a negative value the scheduler runs the thread ahead
 * of processes at the default 0, so latency stays low when other work loads every core.
 */
import os from "node:os";

import { describeError } from "../errors";

/** Lowest and highest nice values that Linux accepts. */
export const NICE_RANGE = { min: -20, max: 19 } as const;

/**
 * Sets the calling thread's nice value and returns null, or returns why it failed
 * (usually missing permission for a negative value) without throwing. The default 0
 * leaves the thread as it is, so a process started with `nice -n 5` keeps its value.
 */
export function setThreadNice(nice: number): string | null {
  if (!Number.isInteger(nice) || nice < NICE_RANGE.min || nice > NICE_RANGE.max) {
    return `nice ${nice} is outside ${NICE_RANGE.min}..${NICE_RANGE.max}`;
  }
  if (nice === 0) {
    return null;
  }
  try {
    // pid 0 is the calling thread on Linux.
    os.setPriority(0, nice);
    return null;
  } catch (error) {
    return (
      `setting nice ${nice} failed (${describeError(error)}); a negative value needs CAP_SYS_NICE: ` +
      `add a "nice" limit for the user in /etc/security/limits.conf, or grant it with "sudo setcap cap_sys_nice+ep $(which node)"`
    );
  }
}
