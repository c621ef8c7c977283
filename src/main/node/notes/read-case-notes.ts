/** Notes of a case store file for a report made from the command line (`--notes case.db`). */
import { openReadable } from '../store/case-store';
import { readCaseMeta } from '../store/case-meta';
import { hasNotes, readNotes, type StoredNote } from '../store/notes-store';
import { InputError } from '../errors/errors';
import { checkRegularFileSync } from '../read/files';

export function readCaseNotes(file: string, exportSha256: string | null): StoredNote[] {
  // SQLite opens by name and would block on a FIFO: refuse anything but a regular file first.
  checkRegularFileSync(file, 'case store holding the notes');
  let db;
  try {
    db = openReadable(file);
  } catch (err) {
    throw new InputError(`cannot open the case store: ${(err as Error).message}`, file);
  }
  try {
    const meta = readCaseMeta(db);
    if (exportSha256 !== null && meta.exportSha256 !== exportSha256) {
      throw new InputError(`this case was made from another export (SHA-256 ${meta.exportSha256.slice(0, 12)}…), so its notes do not belong to this one`, file);
    }
    return hasNotes(db) ? readNotes(db) : [];
  } finally {
    db.close();
  }
}
