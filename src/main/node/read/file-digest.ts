import { createHash } from 'node:crypto';
import { openRegularFile } from './files';

/** SHA-256 and size of a file's bytes as stored, read-only; anything but a regular file is refused. */
export async function fileDigest(path: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  const fh = await openRegularFile(path, 'export');
  for await (const chunk of fh.createReadStream({ start: 0 })) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), bytes };
}
