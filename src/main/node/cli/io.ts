export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  /** The real stderr, for the progress line's own carriage returns; only set by runCli. */
  progress?: NodeJS.WritableStream & { isTTY?: boolean };
}

export type CliCommand = (args: string[], io: CliIo) => Promise<number>;

/*
 * Control characters (C0 but tab and newline, DEL, C1), line and paragraph
 * separators and bidirectional overrides: text from a hostile file must not
 * drive the reviewer's terminal (retitle it, move the cursor, overwrite
 * "TAMPERED") or reorder what it shows.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * Each unsafe character as a visible \uXXXX escape. Inside a JSON string that
 * is the same character written as an escape, so --json output stays valid
 * and means the same.
 */
export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function safeStream(stream: CliIo['stdout']): CliIo['stdout'] {
  return {
    isTTY: stream.isTTY,
    write: (chunk: string | Uint8Array, ...rest: unknown[]) => (stream.write as (c: string | Uint8Array, ...r: unknown[]) => boolean)(typeof chunk === 'string' ? terminalSafe(chunk) : chunk, ...rest),
  } as unknown as CliIo['stdout'];
}

/** The io every command gets: what it prints cannot carry control sequences from a file. */
export function safeIo(io: CliIo): CliIo {
  return { stdout: safeStream(io.stdout), stderr: safeStream(io.stderr), progress: io.progress ?? io.stderr };
}
