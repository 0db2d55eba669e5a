import { SoftSkipError } from "../errors";

/** Placeholder until the replay subcommand is implemented. */
export async function run(_args: string[]): Promise<number> {
  throw new SoftSkipError("UNSUPPORTED", "softskip replay is not implemented yet.");
}
