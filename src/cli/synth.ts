import { SoftSkipError } from "../errors";

/** Placeholder until the synth subcommand is implemented. */
export async function run(_args: string[]): Promise<number> {
  throw new SoftSkipError("UNSUPPORTED", "softskip synth is not implemented yet.");
}
