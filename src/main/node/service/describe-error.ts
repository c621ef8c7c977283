import { InputError, UsageError } from '../cli/errors';
import { CaseStoreError } from '../store/case-store';

/** Any error as one sentence for a reviewer: file and line where known, never a stack. */
export function describeError(err: unknown, file?: string): string {
  if (err instanceof InputError) {
    const where = err.file ? `${err.file}${err.line ? `, line ${err.line}` : ''}: ` : file ? `${file}: ` : '';
    return `${where}${err.message}`;
  }
  if (err instanceof UsageError || err instanceof CaseStoreError) return err.message;
  const e = err as NodeJS.ErrnoException;
  if (e && typeof e.code === 'string') {
    const target = e.path ?? file ?? 'the file';
    switch (e.code) {
      case 'ENOENT':
        return `${target}: no such file.`;
      case 'EACCES':
      case 'EPERM':
        return `${target}: permission denied.`;
      case 'ENOSPC':
        return `${target}: the disk is full; nothing was saved.`;
      case 'EROFS':
        return `${target}: the location is read-only; nothing was saved.`;
      case 'EISDIR':
        return `${target}: is a folder, not a file.`;
      case 'Z_DATA_ERROR':
      case 'Z_BUF_ERROR':
        return `${file ?? target}: the gzip data is damaged: ${e.message}.`;
    }
  }
  if ((err as Error)?.name === 'AbortError') return 'Cancelled.';
  const message = (err as Error)?.message ?? String(err);
  return `${file ? `${file}: ` : ''}${message.split('\n')[0]}`;
}
