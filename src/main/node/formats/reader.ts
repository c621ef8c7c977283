/**
 * A reader for one log format. Detection looks at the start of the file
 * (decompressed) parsed as JSON (head-view.ts) and its name; verification streams the file, sends every
 * entry to the sink (the case store during ingest, nothing for a plain verify)
 * and returns the verdict.
 */
import type { CaseEvent, FormatVerification, VerifyInputs } from '../../../shared/formats/case-model';
import type { HeadView } from './head-view';

export interface Detection {
  /** Higher wins; 100 means certain (e.g. a header naming the format). */
  score: number;
  reason: string;
}

export interface VerifyFileOptions extends VerifyInputs {
  /** Absolute or relative path of the file; opened read-only. */
  path: string;
  /** Receives every entry in file order. */
  onEvent?: (event: CaseEvent) => void;
  /** Progress: bytes read of the (compressed) file, entries so far. */
  onProgress?: (bytesRead: number, entries: number) => void;
  signal?: AbortSignal;
  /** Worker threads to use for hashing where the reader parallelizes. */
  workers?: number;
  /** The hash worker's entry (the Electron build passes its bundled one). */
  workerUrl?: URL | string;
  /** Why this reader was chosen (detection reason or "--format given"); copied to FormatVerification.formatReason. */
  formatReason?: string;
}

export interface FormatReader {
  /** Stable id used by --format and in reports. */
  id: string;
  /** One line for --help and the "unknown format" error. */
  describe: string;
  /** head: the first 64 KiB of the (decompressed) file, parsed as JSON Lines and as a document; decide on members, never on text. */
  detect(head: HeadView, fileName: string): Detection | null;
  verify(options: VerifyFileOptions): Promise<FormatVerification>;
}
