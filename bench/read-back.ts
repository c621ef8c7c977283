/** The benches' common baseline: the seconds it takes to read a file once and take its SHA-256 (nothing can verify faster). */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

export async function sha256FileSeconds(file: string): Promise<number> {
  const t0 = performance.now();
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
  h.digest();
  return (performance.now() - t0) / 1000;
}
