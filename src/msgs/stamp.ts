import { ArgumentError } from "../errors";
import type { Time } from "./types";

const NANOSECONDS_PER_SECOND = 1_000_000_000;

function toInteger(value: unknown, field: string): number {
  const numeric = typeof value === "bigint" ? Number(value) : value;
  if (typeof numeric !== "number" || !Number.isFinite(numeric)) {
    throw new ArgumentError(
      `Invalid time field "${field}": expected a finite number but received ${String(value)} (${typeof value}).`,
    );
  }
  return Math.trunc(numeric);
}

/**
 * Reads a builtin_interfaces/Time from a decoded message. Accepts `{sec, nanosec}` (.msg
 * schemas and built-in definitions) and `{sec, nsec}` (what @foxglove/ros2idl-parser 0.3.5
 * makes of ros2idl schemas), numbers or BigInt (rclnodejs 2.x). A `nanosec` outside
 * 0..999_999_999, as some real bags carry, is carried into `sec`, so the result always
 * has `nanosec` in range.
 */
export function stampFromMessage(value: unknown): Time {
  if (typeof value !== "object" || value === null) {
    throw new ArgumentError(
      `Invalid time: expected an object with "sec" and "nanosec" (or "nsec") but received ${String(value)}.`,
    );
  }
  const fields = value as Record<string, unknown>;
  const nanosecField = "nanosec" in fields ? "nanosec" : "nsec";
  if (!("sec" in fields) || !(nanosecField in fields)) {
    throw new ArgumentError(
      `Invalid time: expected fields "sec" and "nanosec" (or "nsec") but found ` +
        `${JSON.stringify(Object.keys(fields))}.`,
    );
  }

  const sec = toInteger(fields.sec, "sec");
  const nanosec = toInteger(fields[nanosecField], nanosecField);
  const carry = Math.floor(nanosec / NANOSECONDS_PER_SECOND);
  return { sec: sec + carry, nanosec: nanosec - carry * NANOSECONDS_PER_SECOND };
}

/** Converts a time to milliseconds since its epoch. */
export function timeToMs(time: Time): number {
  return time.sec * 1000 + time.nanosec / 1e6;
}

/** Converts milliseconds since the epoch to a time with `nanosec` in range. */
export function timeFromMs(ms: number): Time {
  if (!Number.isFinite(ms)) {
    throw new ArgumentError(`Invalid time in ms: expected a finite number but received ${ms}.`);
  }
  const sec = Math.floor(ms / 1000);
  const nanosec = Math.min(Math.round((ms - sec * 1000) * 1e6), NANOSECONDS_PER_SECOND - 1);
  return { sec, nanosec };
}

/** Converts a time in ns (a bag's log time) to a builtin_interfaces/Time. */
export function timeFromNs(ns: bigint): Time {
  return { sec: Number(ns / 1_000_000_000n), nanosec: Number(ns % 1_000_000_000n) };
}

/** Formats a time in ns (a bag's log time) as seconds with millisecond precision, such as "1700000010.250 s". */
export function secondsText(ns: bigint): string {
  return `${ns / 1_000_000_000n}.${((ns % 1_000_000_000n) / 1_000_000n).toString().padStart(3, "0")} s`;
}
