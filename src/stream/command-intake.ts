import type { Logger } from "../log";
import type { CommandEncoding } from "../runtime/types";
import { checkGroundable, nounList, type NounList } from "../runtime/object-nouns";
import { resolveFromRejectedPhrase, resolveOneAnaphora, unexcludedCategory, unexcludedCategoryReason, unfollowableExclusion, withImpliedOne } from "../runtime/one-anaphora";
import { definiteArticles, severalObjects, singularNouns } from "../runtime/plural-nouns";
import { severalObjectsReason } from "../runtime/spoken-expression";
import { parseTranscript } from "../runtime/transcript";
import { CommandSlot, type ActiveCommand } from "./command-slot";
import { settleOnce } from "./engine-calls";
import { checkTranscriptTime, rejectionFromError } from "./input-checks";
import type { GroundingStreamEngine } from "./options";
import type { CommandInfo, RejectionEvent, TranscriptInput } from "./types";

/**
 * How long after a bare rejection ("no", "sorry") or prohibition ("don't grab") the next
 * command counts as its correction or as what is forbidden, in ms: speech recognisers
 * often end a message at the pause in "No. The blue one."
 */
export const CORRECTION_PAUSE_MS = 5000;

const NAME_THE_OBJECT = 'Say which object to take, such as "the blue bowl"';

/** Names what the model cannot follow in a stop, or "" for a plain stop. */
function unfollowableCause(stop: { negation?: true; pointing?: true }): string {
  if (stop.negation === true) {
    return "a negation the model cannot follow";
  }
  if (stop.pointing === true) {
    return "pointing at an object the model cannot see";
  }
  return "";
}

export interface CommandIntakeDependencies {
  engine: GroundingStreamEngine;
  logger: Logger;
  reject(rejection: RejectionEvent): void;
  /** Called after the current command changed or received its encoding. */
  onChange(): void;
  /** Called before onChange when the current command is cleared or dropped, but not when a new command replaces it. */
  onEnded(command: CommandInfo, reason: string): void;
  nextCommandId(): number;
}

/**
 * Turns transcripts into the current command: parses each one, starts encoding commands
 * and corrections, and clears the command on a stop or a failed encode.
 */
export class CommandIntake {
  readonly slot: CommandSlot;
  private encodesInFlight = 0;
  private readonly nouns: NounList;
  private readonly objectNouns: readonly string[];
  private readonly synonyms: readonly (readonly string[])[];
  /**
   * The last command given, even if stopped or expired since: what a correction such as
   * "no, the blue one" refers to. A command dropped for naming nothing does not count.
   */
  private last: { id: number; expression: string } | null = null;
  /** The value of `last` before each command still being encoded, restored if that command is dropped. */
  private readonly lastBefore = new Map<number, { id: number; expression: string } | null>();
  /** Until when (receive time, ms) a command counts as a correction after a bare rejection. */
  private correctionUntilMs = -Infinity;
  /** Until when (receive time, ms) a command counts as forbidden after a bare "don't". */
  private forbiddenUntilMs = -Infinity;
  /**
   * The command that a pause ("wait", "hold on") stopped, which "go ahead" starts again.
   * Any later command or other stop clears it.
   */
  private paused: { id: number; transcript: string; expression: string } | null = null;

  constructor(private readonly deps: CommandIntakeDependencies) {
    this.slot = new CommandSlot((encoding) => deps.engine.release(encoding), deps.logger);
    this.objectNouns = deps.engine.objectNouns ?? [];
    this.synonyms = deps.engine.objectSynonyms ?? [];
    this.nouns = nounList(this.objectNouns);
  }

  get current(): ActiveCommand | null {
    return this.slot.current;
  }

  get isEncoding(): boolean {
    return this.encodesInFlight > 0;
  }

  handle(transcript: TranscriptInput): void {
    const timeRejection = checkTranscriptTime(transcript);
    if (timeRejection !== null) {
      this.deps.reject(timeRejection);
      return;
    }

    let parsed;
    try {
      parsed = parseTranscript(transcript.text, transcript.topic);
    } catch (error) {
      this.deps.reject(rejectionFromError(error, transcript.topic, "data", "invalid_transcript"));
      return;
    }

    const afterRejection = transcript.receivedAtMs <= this.correctionUntilMs;
    const forbidden = transcript.receivedAtMs <= this.forbiddenUntilMs;
    if (parsed.kind !== "empty") {
      this.correctionUntilMs = parsed.kind === "stop" && parsed.expectsCorrection === true ? transcript.receivedAtMs + CORRECTION_PAUSE_MS : -Infinity;
      this.forbiddenUntilMs = parsed.kind === "stop" && parsed.forbidsNext === true ? transcript.receivedAtMs + CORRECTION_PAUSE_MS : -Infinity;
    }
    if (parsed.kind === "command" && forbidden) {
      // "Don't grab." then "The red mug.": the second message names what the first forbids.
      this.deps.logger.info(`Transcript ${JSON.stringify(transcript.text)} follows a "don't" without an object, so it is taken as what is forbidden.`);
      this.clear(`stopped by ${JSON.stringify(transcript.text)}, forbidden by the message before it`);
      return;
    }
    switch (parsed.kind) {
      case "empty":
        if (parsed.pointing === true) {
          const current = this.slot.current === null ? "No command is active" : `Command ${this.slot.current.info.id} stays active`;
          this.deps.logger.info(`Transcript ${JSON.stringify(transcript.text)} points at an object without naming it, which the model cannot see. ${current}. ${NAME_THE_OBJECT}.`);
        } else {
          this.deps.logger.debug(`Ignoring transcript ${JSON.stringify(transcript.text)}: no command in it.`);
        }
        return;
      case "resume":
        this.resume(transcript);
        return;
      case "stop": {
        const current = this.slot.current;
        if (parsed.pause !== true) {
          this.paused = null;
        } else if (current !== null) {
          this.paused = { id: current.info.id, transcript: current.info.transcript, expression: current.info.expression };
        }
        const cause = unfollowableCause(parsed);
        const reason = cause === "" ? "" : `, ${cause}. ${NAME_THE_OBJECT}`;
        if (this.slot.current === null) {
          // Nothing to clear, but the speaker should still learn how the text was read.
          const message = `Transcript ${JSON.stringify(transcript.text)} is a stop${reason}. No command is active.`;
          if (reason === "") {
            this.deps.logger.debug(message);
          } else {
            this.deps.logger.info(message);
          }
        }
        this.clear(`stopped by ${JSON.stringify(transcript.text)}${reason}`);
        return;
      }
      case "command":
        this.paused = null;
        this.start(transcript, parsed.expression, parsed.isCorrection || afterRejection, parsed.rejected, parsed.excluded);
        return;
    }
  }

  /** Starts the paused command again as a new command, grounded on frames from now on. */
  private resume(transcript: TranscriptInput): void {
    const paused = this.paused;
    if (paused === null) {
      this.deps.logger.info(`Transcript ${JSON.stringify(transcript.text)} asks to resume, but no command was paused. ${NAME_THE_OBJECT}.`);
      return;
    }
    this.paused = null;
    this.deps.logger.info(`Transcript ${JSON.stringify(transcript.text)} resumes command ${paused.id} (${JSON.stringify(paused.expression)}).`);
    this.start({ ...transcript, text: paused.transcript }, paused.expression, false, undefined, undefined);
  }

  /** Drops a command the model cannot follow: retires the current one, which the speaker meant to change, and rejects the text. */
  private rejectCommand(transcript: TranscriptInput, reason: string, explanation: string): void {
    this.clear(`replaced by ${JSON.stringify(transcript.text)}, which cannot be grounded`);
    this.deps.reject({
      kind: "rejected",
      topic: transcript.topic,
      field: "data",
      reason,
      message: `Transcript ${JSON.stringify(transcript.text)} on ${transcript.topic} ${explanation}. ${NAME_THE_OBJECT}.`,
      transcript: transcript.text,
    });
  }

  /** Retires the current command, if any, and logs `reason` for it. */
  clear(reason: string): void {
    const cleared = this.slot.current;
    this.slot.replace(null);
    if (cleared !== null) {
      this.deps.logger.info(`Command ${cleared.info.id} ${reason}.`);
      this.deps.onEnded(cleared.info, reason);
    }
    this.deps.onChange();
  }

  private start(transcript: TranscriptInput, parsedExpression: string, isCorrection: boolean, parsedRejected: string | undefined, excluded: string | undefined): void {
    const several = severalObjects(parsedExpression, this.nouns);
    if (several !== null) {
      this.rejectCommand(transcript, "several_objects", severalObjectsReason(several));
      return;
    }
    const last = this.last;
    const spoken = definiteArticles(singularNouns(parsedExpression, this.nouns) ?? parsedExpression);
    const rejected = parsedRejected === undefined ? undefined : (singularNouns(parsedRejected, this.nouns) ?? parsedRejected);
    // Only a correction refers back: a new "the green one" means any green object. The
    // phrase it rejects ("not the red mug, the blue one") names the object first.
    const fromRejected = isCorrection && rejected !== undefined ? resolveFromRejectedPhrase(withImpliedOne(spoken, this.nouns), rejected, this.nouns) : null;
    // A rejected phrase that names only a category ("not the mug") lends no noun at all.
    const fromLast = isCorrection && rejected === undefined && last !== null ? resolveOneAnaphora(spoken, last.expression, this.nouns) : null;
    const resolved = fromRejected ?? fromLast;
    const expression = resolved ?? spoken;
    const unexcluded = isCorrection ? unexcludedCategory(expression, rejected, this.objectNouns, this.synonyms) : null;
    if (unexcluded !== null) {
      this.deps.logger.info(`Transcript ${JSON.stringify(transcript.text)} ${unexcludedCategoryReason(unexcluded)}. ${NAME_THE_OBJECT}.`);
      this.clear(`stopped by ${JSON.stringify(transcript.text)}, which rejects ${unexcluded} without naming another object`);
      return;
    }
    const exclusion = unfollowableExclusion(expression, excluded, this.objectNouns, this.synonyms);
    if (exclusion !== null) {
      this.rejectCommand(transcript, "unfollowable_exclusion", exclusion);
      return;
    }
    const command: ActiveCommand = {
      info: { id: this.deps.nextCommandId(), transcript: transcript.text, expression },
      arrivalMs: transcript.receivedAtMs,
      encoding: null,
      results: 0,
      users: 0,
      retired: false,
    };
    const previous = this.slot.current;
    this.slot.replace(command);
    this.lastBefore.set(command.info.id, last);
    this.last = { id: command.info.id, expression };
    const notes = [
      ...(expression !== parsedExpression ? [`spoken as ${JSON.stringify(parsedExpression)}`] : []),
      ...(fromRejected !== null ? [`"one" taken from ${JSON.stringify(`not ${rejected ?? ""}`)}`] : []),
      ...(fromLast !== null && last !== null ? [`"one" taken from command ${last.id}`] : []),
      ...(excluded === undefined ? [] : [`leaves out ${JSON.stringify(excluded)}`]),
      ...(previous === null ? [] : [`${isCorrection ? "corrects" : "replaces"} command ${previous.info.id}`]),
    ];
    const noted = notes.length === 0 ? "" : ` (${notes.join("; ")})`;
    this.deps.logger.info(`Command ${command.info.id}: ${JSON.stringify(expression)}${noted}.`);

    this.encodesInFlight += 1;
    this.deps.onChange();
    settleOnce(() => this.deps.engine.encode(expression), "engine.encode", {
      value: (encoding) => this.onEncoded(command, encoding, transcript),
      failure: (error) => this.onEncodeFailed(command, transcript, error),
    });
  }

  /**
   * Attaches the encoding. A command with no word in the model's vocabulary, or with no
   * single object the model was trained on, is dropped and its transcript rejected,
   * because grounding it would return a box for noise. The command it replaced stays
   * retired, because the speaker meant to change it.
   */
  private onEncoded(command: ActiveCommand, encoding: CommandEncoding, transcript: TranscriptInput): void {
    this.encodesInFlight -= 1;
    const lastBefore = this.lastBefore.get(command.info.id);
    this.lastBefore.delete(command.info.id);
    const ungroundable = checkGroundable(command.info.expression, encoding.unknownWords, this.objectNouns);
    if (ungroundable !== null) {
      // Noise does not change what a later "one" refers to. A command that names an object
      // the model does not know ("no, the knife") does: the speaker moved away from the
      // earlier object, so it stays the last command and lends no noun.
      if (ungroundable.reason === "no_known_words" && this.last?.id === command.info.id && lastBefore !== undefined) {
        this.last = lastBefore;
      }
      // Attached and then retired, so the slot's own release path frees the encoding.
      const wasCurrent = this.slot.attachEncoding(command, encoding);
      if (wasCurrent) {
        this.slot.replace(null);
      }
      this.deps.reject({
        kind: "rejected",
        topic: transcript.topic,
        field: "data",
        reason: ungroundable.reason,
        transcript: transcript.text,
        commandId: command.info.id,
        message:
          `Transcript ${JSON.stringify(transcript.text)} on ${transcript.topic} ${ungroundable.explanation}, so command ${command.info.id} was dropped; ` +
          `name the object in English tabletop words, such as "the red cup left of the bowl".`,
      });
      if (wasCurrent) {
        // It replaced the command before it, whose box consumers still show.
        this.deps.onEnded(command.info, `dropped: ${ungroundable.reason}`);
      }
      this.deps.onChange();
      return;
    }
    if (this.slot.attachEncoding(command, encoding) && encoding.unknownWords.length > 0) {
      this.deps.logger.warn(
        `Command ${command.info.id}: words not in the model's vocabulary: ${encoding.unknownWords.join(", ")}.`,
      );
    }
    this.deps.onChange();
  }

  private onEncodeFailed(command: ActiveCommand, transcript: TranscriptInput, error: unknown): void {
    this.encodesInFlight -= 1;
    this.lastBefore.delete(command.info.id);
    const wasCurrent = this.slot.current === command;
    if (wasCurrent) {
      this.slot.replace(null);
    }
    this.deps.reject({ ...rejectionFromError(error, transcript.topic, "data", "encode_failed"), transcript: transcript.text, commandId: command.info.id });
    if (wasCurrent) {
      this.deps.onEnded(command.info, "dropped: encode_failed");
    }
    this.deps.onChange();
  }
}
