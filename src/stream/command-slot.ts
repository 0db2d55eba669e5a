import { describeError } from "../errors";
import type { Logger } from "../log";
import type { CommandEncoding } from "../runtime/types";
import type { CommandInfo } from "./types";

/** One spoken command from its arrival until its encoding is released. */
export interface ActiveCommand {
  info: CommandInfo;
  /** Arrival of the transcript on the stream's clock, in ms; frames before it are not used. */
  arrivalMs: number;
  /** Null while the engine is still encoding the expression. */
  encoding: CommandEncoding | null;
  /** Results produced so far; the lifetime only ends a command once it has one. */
  results: number;
  /** Inferences in flight that read the encoding, which must stay alive until they finish. */
  users: number;
  /** Replaced, stopped or expired: the encoding is released once `users` reaches 0. */
  retired: boolean;
}

/**
 * Holds the current command and releases each encoding exactly once: when its command is
 * replaced, stopped or expired and no inference still reads it. An encoding that arrives
 * after its command was retired is released at once.
 */
export class CommandSlot {
  private active: ActiveCommand | null = null;

  constructor(
    private readonly release: (encoding: CommandEncoding) => void,
    private readonly logger: Logger,
  ) {}

  get current(): ActiveCommand | null {
    return this.active;
  }

  /** Makes `next` the current command (null clears it) and retires the previous one. */
  replace(next: ActiveCommand | null): void {
    const previous = this.active;
    this.active = next;
    if (previous !== null && previous !== next) {
      previous.retired = true;
      this.freeIfUnused(previous);
    }
  }

  /** Stores the encoding; returns false (and releases it) when the command was retired meanwhile. */
  attachEncoding(command: ActiveCommand, encoding: CommandEncoding): boolean {
    command.encoding = encoding;
    if (command.retired) {
      this.freeIfUnused(command);
      return false;
    }
    return true;
  }

  acquire(command: ActiveCommand): void {
    command.users += 1;
  }

  unacquire(command: ActiveCommand): void {
    command.users -= 1;
    this.freeIfUnused(command);
  }

  private freeIfUnused(command: ActiveCommand): void {
    const encoding = command.encoding;
    if (!command.retired || command.users > 0 || encoding === null) {
      return;
    }
    command.encoding = null;
    try {
      this.release(encoding);
    } catch (error) {
      // A failed release only leaks one sentence embedding; the stream keeps going.
      this.logger.warn(`Releasing the encoding of command ${command.info.id} failed: ${describeError(error)}`);
    }
  }
}
