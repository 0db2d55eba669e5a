import { SoftSkipError } from "../errors";

/** Placeholder until the node subcommand is implemented. */
export async function run(_args: string[]): Promise<number> {
  throw new SoftSkipError("UNSUPPORTED", "softskip node is not implemented yet.");
}
