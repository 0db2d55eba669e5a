import { SoftSkipError } from "../errors";

/** Placeholder until the ground subcommand is implemented. */
export async function run(_args: string[]): Promise<number> {
  throw new SoftSkipError("UNSUPPORTED", "softskip ground is not implemented yet.");
}
