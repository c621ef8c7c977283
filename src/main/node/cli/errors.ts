/** An error the CLI prints as one sentence (never a stack) and exits 2 on. */
export class UsageError extends Error {}

export class InputError extends Error {
  constructor(
    message: string,
    readonly file?: string,
    readonly line?: number,
  ) {
    super(message);
  }
}
