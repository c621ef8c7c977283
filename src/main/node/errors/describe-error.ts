import { InputError, SentenceError } from './errors';

/** Any error as one sentence for a reviewer: file and line where known, never a stack. */
export function describeError(err: unknown, file?: string): string {
  if (err instanceof InputError) {
    const where = err.file ? `${err.file}${err.line ? `, line ${err.line}` : ''}: ` : file ? `${file}: ` : '';
    return `${where}${err.message}`;
  }
  if (err instanceof SentenceError) return err.message;
  const e = err as NodeJS.ErrnoException;
  if (e && typeof e.code === 'string') {
    const target = e.path ?? file ?? 'the file';
    switch (e.code) {
      case 'ENOENT':
        return `${target}: no such file.`;
      case 'EACCES':
      case 'EPERM':
        return `${target}: permission denied.`;
      // Writes go to the cases folder, never to the export: name the path written, not the export.
      case 'ENOSPC':
        return e.path ? `${e.path}: the disk is full; nothing was saved.` : 'The disk holding the cases is full; nothing was saved.';
      case 'EROFS':
        return e.path ? `${e.path}: the location is read-only; nothing was saved.` : 'The cases folder is read-only; nothing was saved.';
      case 'EISDIR':
        return `${target}: is a folder, not a file.`;
      case 'Z_DATA_ERROR':
      case 'Z_BUF_ERROR':
        return `${file ?? target}: the gzip data is damaged: ${e.message}.`;
    }
    // better-sqlite3's SqliteError: the case store (not the export named in `file`) could not be written or read.
    if (e.code === 'SQLITE_FULL' || (e.code.startsWith('SQLITE_IOERR') && /full|space/i.test(e.message))) return 'The disk holding the cases is full; nothing was saved.';
    if (e.code === 'SQLITE_READONLY_DBMOVED') return 'The case being built was removed or moved by another window or process using the same cases folder; nothing was saved. Open the export again.';
    if (e.code.startsWith('SQLITE_READONLY')) return 'The cases folder is read-only; nothing was saved.';
    if (e.code.startsWith('SQLITE_CANTOPEN')) return 'The case store cannot be opened or created: the cases folder is read-only, missing or not accessible.';
    if (e.code === 'SQLITE_CORRUPT' || e.code === 'SQLITE_NOTADB') return 'The case store is damaged or is not a case store; open the export again to rebuild it.';
    if (e.code.startsWith('SQLITE_BUSY') || e.code.startsWith('SQLITE_LOCKED')) return 'The case is busy in another window or process; try again.';
    if (e.code.startsWith('SQLITE_IOERR')) return `The case store could not be written or read (${e.code}); nothing was saved.`;
  }
  if ((err as Error)?.name === 'AbortError') return 'Cancelled.';
  const message = (err as Error)?.message ?? String(err);
  return `${file ? `${file}: ` : ''}${message.split('\n')[0]}`;
}
