/** An error whose message is already the one sentence a reviewer is shown. */
export class SentenceError extends Error {}

/** An error the CLI prints as one sentence (never a stack) and exits 2 on. */
export class UsageError extends SentenceError {}

export class InputError extends Error {
  constructor(
    message: string,
    readonly file?: string,
    readonly line?: number,
  ) {
    super(message);
  }
}

/**
 * A file Audit Replay was asked to write cannot be written, or must not be
 * (it is one of the command's inputs). An InputError, so every door (CLI exit
 * 2, describeError) shows it as the one sentence it is.
 */
export class OutputError extends InputError {}
