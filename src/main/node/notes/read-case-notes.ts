/** Notes of a case store file for a report made from the command line (`--notes case.db`). */
import { openCaseDb, readMeta } from '../store/case-store';
import { InputError } from '../errors/errors';
import { checkRegularFileSync } from '../read/files';
import { CaseNotes, hasNotesTable, type StoredNote } from './case-notes';

export function readCaseNotes(file: string, exportSha256: string | null): StoredNote[] {
  // SQLite opens by name and would block on a FIFO: refuse anything but a regular file first.
  checkRegularFileSync(file, 'case store holding the notes');
  let db;
  try {
    db = openCaseDb(file, { readonly: true });
  } catch (err) {
    throw new InputError(`cannot open the case store: ${(err as Error).message}`, file);
  }
  try {
    const meta = readMeta(db);
    if (exportSha256 !== null && meta.export_sha256 !== exportSha256) {
      throw new InputError(`this case was made from another export (SHA-256 ${String(meta.export_sha256).slice(0, 12)}…), so its notes do not belong to this one`, file);
    }
    return hasNotesTable(db) ? new CaseNotes(db).stored() : [];
  } finally {
    db.close();
  }
}
