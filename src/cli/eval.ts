import { SoftSkipError } from "../errors";

/** Placeholder until the eval subcommand is implemented. */
export async function run(_args: string[]): Promise<number> {
  throw new SoftSkipError("UNSUPPORTED", "softskip eval is not implemented yet.");
}
