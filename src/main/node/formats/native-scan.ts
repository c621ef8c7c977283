/**
 * The optional native fast path (native/event-scan.cc, built by `npm install`
 * through scripts/build-native.mjs). It takes the clean canonical event lines
 * of a batch, and the incremental Merkle appends, off JavaScript; everything
 * else stays on the JavaScript path, which is the reference the native code
 * is tested against (test/formats/native-scan.test.ts). When the addon is not
 * built (no compiler) or AUDIT_REPLAY_NATIVE=0, verification runs entirely in
 * JavaScript with the same results, only slower.
 */
import { createRequire } from 'node:module';

export interface NativeScan {
  /**
   * Line i of the batch is bytes[offsets[i], offsets[i+1]). status[i] becomes 2 for a clean
   * canonical event that hashes to its recorded hash, 1 for one that moreover continues line
   * i-1 (link, seq + 1, time not going back), 0 for a line left to JavaScript. For taken lines:
   * seq, recorded hash, prev_hash and RFC 6962 leaf hash (32 bytes each), ts offset and length.
   */
  scanEvents(bytes: Uint8Array, offsets: Uint32Array, status: Uint8Array, seq: Float64Array, hashes: Uint8Array, prevs: Uint8Array, leaves: Uint8Array, ts: Uint32Array): number;
  /** Appends leaf hashes to a Merkle stack of perfect subtrees (sizes, 32-byte roots); returns the new depth. */
  merkleAppend(sizes: Float64Array, stack: Uint8Array, depth: number, leaves: Uint8Array): number;
}

const ADDON = '../../../../build/Release/event_scan.node';

let loaded: { scan: NativeScan | null; reason: string } | null = null;

/** The addon, or null with the reason it is not used. */
export function nativeScanStatus(): { scan: NativeScan | null; reason: string } {
  if (loaded) return loaded;
  if (process.env.AUDIT_REPLAY_NATIVE === '0') {
    loaded = { scan: null, reason: 'turned off by AUDIT_REPLAY_NATIVE=0' };
    return loaded;
  }
  try {
    const scan = createRequire(import.meta.url)(ADDON) as NativeScan;
    loaded =
      typeof scan.scanEvents === 'function' && typeof scan.merkleAppend === 'function' ? { scan, reason: 'loaded' } : { scan: null, reason: 'the addon does not export scanEvents and merkleAppend' };
  } catch (err) {
    loaded = { scan: null, reason: `not built (${(err as Error).message.split('\n')[0]}); run npm install with a C++ compiler to build it` };
  }
  return loaded;
}

export function nativeScan(): NativeScan | null {
  return nativeScanStatus().scan;
}
