/**
 * A one-line progress bar for a TTY stderr. Log lines written through `wrapLogger` clear
 * the bar first, so the two never mix on one line.
 */
import type { Logger } from "../log";

/** Redraws at most this often, in ms, so a fast replay does not flood the terminal. */
const REDRAW_INTERVAL_MS = 100;
const BAR_WIDTH = 30;

export class ProgressBar {
  private lastDrawMs = 0;
  private visible = false;

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {}

  /** True when the stream is a terminal; elsewhere `update` draws nothing. */
  get enabled(): boolean {
    return this.stream.isTTY === true;
  }

  update(done: number, total: number): void {
    const now = Date.now();
    if (!this.enabled || (now - this.lastDrawMs < REDRAW_INTERVAL_MS && done < total)) {
      return;
    }
    this.lastDrawMs = now;
    const fraction = total > 0 ? Math.min(1, done / total) : 0;
    const filled = Math.round(fraction * BAR_WIDTH);
    const bar = "#".repeat(filled) + ".".repeat(BAR_WIDTH - filled);
    this.stream.write(`\r[${bar}] ${(fraction * 100).toFixed(0).padStart(3)}% ${done}/${total} messages`);
    this.visible = true;
  }

  clear(): void {
    if (this.visible) {
      this.stream.write("\r\x1b[K");
      this.visible = false;
    }
  }

  wrapLogger(logger: Logger): Logger {
    const clearThen =
      (write: (message: string) => void) =>
      (message: string): void => {
        this.clear();
        write(message);
      };
    return {
      debug: clearThen((message) => logger.debug(message)),
      info: clearThen((message) => logger.info(message)),
      warn: clearThen((message) => logger.warn(message)),
      error: clearThen((message) => logger.error(message)),
    };
  }
}
