/** Where a command writes: stdout carries only results (one JSON object with --json), stderr the rest. */
export interface CliIO {
  readonly stdout: { write(s: string): unknown };
  readonly stderr: { write(s: string): unknown };
}

/** A usage error: the CLI prints it with the command's usage and exits 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** A `lam` subcommand (named apart from policy's `Command`, the contract a vehicle executes). */
export type CliCommand = (argv: string[], io: CliIO) => Promise<number>;
