import type { CliIo } from './io';

/** Progress on stderr, and only on a terminal, so scripts and --json stay clean. */
export function progressPrinter(io: CliIo): { update: (bytes: number, events: number) => void; done: () => void } {
  const out = io.progress ?? io.stderr;
  if (!out.isTTY) return { update: () => {}, done: () => {} };
  let last = 0;
  let shown = false;
  return {
    update(bytes, events) {
      const now = performance.now();
      if (now - last < 200) return;
      last = now;
      shown = true;
      out.write(`\r  ${(bytes / 1e6).toFixed(1)} MB read, ${events.toLocaleString('en')} events…`);
    },
    done() {
      if (shown) out.write('\r\x1b[K');
    },
  };
}
