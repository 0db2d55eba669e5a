/**
 * Logging outside ROS. Libraries never print: they take a `Logger`. Under ROS the node
 * passes an adapter over the rclnodejs logger; elsewhere `createConsoleLogger` writes to
 * stderr so that `--json` output on stdout stays machine-readable.
 */
export type LogLevel = "debug" | "info" | "warn" | "error";

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

const LEVEL_ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** Creates a logger that writes `[level] [name] message` lines to stderr at or above `level`. */
export function createConsoleLogger(name: string, level: LogLevel = "info"): Logger {
  const write = (lineLevel: LogLevel, message: string): void => {
    if (LEVEL_ORDER[lineLevel] < LEVEL_ORDER[level]) {
      return;
    }
    process.stderr.write(`[${lineLevel.toUpperCase()}] [${name}] ${message}\n`);
  };
  return {
    debug: (message) => write("debug", message),
    info: (message) => write("info", message),
    warn: (message) => write("warn", message),
    error: (message) => write("error", message),
  };
}

/** A logger that drops everything; for tests and library defaults. */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/**
 * Rate-limits repeated log lines per key: at most one line per `intervalMs` for each key,
 * and the next line that passes reports how many were suppressed in between.
 */
export class RateLimitedLog {
  private readonly lastMs = new Map<string, number>();
  private readonly suppressed = new Map<string, number>();

  constructor(
    private readonly logger: Logger,
    private readonly intervalMs = 1000,
    private readonly now: () => number = Date.now,
  ) {}

  warn(key: string, message: string): void {
    this.emit("warn", key, message);
  }

  error(key: string, message: string): void {
    this.emit("error", key, message);
  }

  private emit(level: "warn" | "error", key: string, message: string): void {
    const now = this.now();
    const last = this.lastMs.get(key);
    if (last !== undefined && now - last < this.intervalMs) {
      this.suppressed.set(key, (this.suppressed.get(key) ?? 0) + 1);
      return;
    }
    const count = this.suppressed.get(key) ?? 0;
    const suffix = count > 0 ? ` (${count} similar messages suppressed)` : "";
    this.suppressed.set(key, 0);
    this.lastMs.set(key, now);
    this.logger[level](message + suffix);
  }
}
