/**
 * The files a user names, read and written safely. Inputs are opened without
 * blocking and checked on the opened descriptor: a FIFO, a folder or a device
 * is refused in a sentence (it would hang the read, or fail with a bare
 * EISDIR), and a file swapped for one after the check is caught all the same.
 * Outputs are refused when they are one of the command's inputs (same real
 * path, or same device and inode, so symbolic and hard links are caught), and
 * written to a temporary file beside them that is renamed into place, so a
 * full disk or a kill leaves the file that was there, never half a file.
 */
import { closeSync, constants, fchmodSync, fstatSync, fsyncSync, lstatSync, openSync, realpathSync, renameSync, statSync, unlinkSync, writeSync, type Stats } from 'node:fs';
import { open, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { InputError, OutputError } from '../errors/errors';

/**
 * Non-blocking, so opening a FIFO (or a file swapped for one after the stat)
 * returns at once; no controlling terminal from a tty. Regular files ignore
 * O_NONBLOCK, so reading them is unchanged.
 */
const READ_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);

/** What a file is, in words: "a FIFO (named pipe)". */
export function kindOf(st: Stats): string {
  if (st.isFile()) return 'a regular file';
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSymbolicLink()) return 'a symbolic link';
  return 'a special file';
}

function notRegular(st: Stats, role: string): string {
  return `is ${kindOf(st)}, not a regular file, so it cannot be the ${role}; it was not read`;
}

function reason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  switch (e?.code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOTDIR':
      return 'part of its path is not a folder';
    case 'ELOOP':
      return 'its symbolic links go round in a loop';
    case 'ENAMETOOLONG':
      return 'the name is too long';
  }
  return e?.code ?? String(e?.message ?? err);
}

function openFailed(err: unknown, file: string, role: string): InputError {
  return new InputError(`${reason(err)} (given as the ${role})`, file);
}

/**
 * Opens a file the user named for reading. Anything but a regular file is
 * refused before it is opened (stat), and again on the opened descriptor
 * (fstat) in case it was swapped in between; the open cannot block. `role`
 * says what the file was given as ("trust store"), for the sentence.
 */
export async function openRegularFile(file: string, role: string): Promise<FileHandle> {
  let before: Stats;
  try {
    before = await stat(file);
  } catch (err) {
    throw openFailed(err, file, role);
  }
  // Not opened at all: opening some devices does something.
  if (!before.isFile()) throw new InputError(notRegular(before, role), file);
  let fh: FileHandle;
  try {
    fh = await open(file, READ_FLAGS);
  } catch (err) {
    throw openFailed(err, file, role);
  }
  try {
    const now = await fh.stat();
    if (!now.isFile()) throw new InputError(notRegular(now, role), file);
  } catch (err) {
    await fh.close();
    throw err;
  }
  return fh;
}

/** openRegularFile for synchronous readers: the descriptor and its fstat. */
export function openRegularFileSync(file: string, role: string): { fd: number; stats: Stats } {
  let before: Stats;
  try {
    before = statSync(file);
  } catch (err) {
    throw openFailed(err, file, role);
  }
  if (!before.isFile()) throw new InputError(notRegular(before, role), file);
  let fd: number;
  try {
    fd = openSync(file, READ_FLAGS);
  } catch (err) {
    throw openFailed(err, file, role);
  }
  const stats = fstatSync(fd);
  if (!stats.isFile()) {
    closeSync(fd);
    throw new InputError(notRegular(stats, role), file);
  }
  return { fd, stats };
}

/** The whole of a regular file the user named. */
export async function readRegularFile(file: string, role: string): Promise<Buffer> {
  const fh = await openRegularFile(file, role);
  try {
    return await fh.readFile();
  } catch (err) {
    throw new InputError(`cannot be read as the ${role}: ${reason(err)}`, file);
  } finally {
    await fh.close();
  }
}

/** Refuses anything but a readable regular file, up front, before a long run reads it. */
export async function checkRegularFile(file: string, role: string): Promise<Stats> {
  const fh = await openRegularFile(file, role);
  try {
    return await fh.stat();
  } finally {
    await fh.close();
  }
}

export function checkRegularFileSync(file: string, role: string): Stats {
  const { fd, stats } = openRegularFileSync(file, role);
  closeSync(fd);
  return stats;
}

/** An input of a command, for refusing outputs over it; `role` as in "--out x is the <role>". */
export interface NamedInput {
  path: string | null | undefined;
  role: string;
}

/** An output of a command; `label` starts the sentence: "--out report.json". */
export interface NamedOutput {
  path: string;
  label: string;
}

interface Identity {
  real: string;
  dev?: number;
  ino?: number;
  folder?: boolean;
}

function sameFile(a: Identity, b: Identity): boolean {
  return a.real === b.real || (a.ino !== undefined && a.dev === b.dev && a.ino === b.ino);
}

function inside(folder: string, file: string): boolean {
  const rel = path.relative(folder, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

function inputIdentity(file: string): Identity | null {
  try {
    const st = statSync(file);
    return { real: realpathSync(file), dev: st.dev, ino: st.ino, folder: st.isDirectory() };
  } catch {
    // Not there: its reader says so; nothing can be written over it.
    return null;
  }
}

function outputIdentity(o: NamedOutput): Identity {
  let linked = false;
  try {
    linked = lstatSync(o.path).isSymbolicLink();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new OutputError(`${o.label}: ${reason(err)}; nothing was written`);
  }
  let st: Stats | null = null;
  try {
    st = statSync(o.path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new OutputError(`${o.label}: ${reason(err)}; nothing was written`);
    if (linked) throw new OutputError(`${o.label} is a symbolic link to nothing; choose another file`);
  }
  if (st) {
    if (!st.isFile()) throw new OutputError(`${o.label} is ${kindOf(st)}, not a regular file; choose another file`);
    return { real: realpathSync(o.path), dev: st.dev, ino: st.ino };
  }
  const parent = path.dirname(path.resolve(o.path));
  let realParent: string;
  try {
    realParent = realpathSync(parent);
  } catch (err) {
    throw new OutputError(`${o.label}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'the folder to write it in does not exist' : reason(err)}; nothing was written`);
  }
  if (!statSync(realParent).isDirectory()) throw new OutputError(`${o.label}: ${parent} is not a folder; nothing was written`);
  return { real: path.join(realParent, path.basename(o.path)) };
}

/**
 * Before anything is written: every output must be a regular file or not yet
 * exist, must not be any input of the command (nor inside an input folder),
 * and no two outputs may name the same file. Throws an OutputError (exit 2).
 */
export function refuseOutputsOverInputs(outputs: readonly NamedOutput[], inputs: readonly NamedInput[]): void {
  const ins = inputs.flatMap((i) => {
    const id = i.path ? inputIdentity(i.path) : null;
    return id ? [{ role: i.role, id }] : [];
  });
  const seen: { label: string; id: Identity }[] = [];
  for (const o of outputs) {
    const id = outputIdentity(o);
    for (const i of ins) {
      if (sameFile(id, i.id)) throw new OutputError(`${o.label} is the ${i.role}; choose another file`);
      if (i.id.folder && inside(i.id.real, id.real)) throw new OutputError(`${o.label} is inside the ${i.role}; choose another file`);
    }
    const twin = seen.find((s) => sameFile(s.id, id));
    if (twin) throw new OutputError(`${o.label} and ${twin.label} name the same file; choose another file`);
    seen.push({ label: o.label, id });
  }
}

function writeFailed(err: unknown, file: string): OutputError {
  if (err instanceof OutputError) return err;
  const e = err as NodeJS.ErrnoException;
  const why: Record<string, string> = {
    ENOSPC: 'the disk is full',
    EDQUOT: 'the disk quota is used up',
    EFBIG: 'the file would be too large for its file system',
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    EROFS: 'the location is read-only',
    EISDIR: 'it is a folder',
    ENOENT: 'the folder to write it in does not exist',
    ENOTDIR: 'part of its path is not a folder',
    EIO: 'the disk reported an input/output error',
  };
  return new OutputError(`cannot be written: ${why[e?.code ?? ''] ?? reason(err)}; nothing was written`, file);
}

/** Where the bytes go (through a symbolic link, as a plain write would) and the mode to keep. */
function writeTarget(file: string): { target: string; mode: number | null } {
  let st: Stats;
  try {
    st = statSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    let linked = false;
    try {
      linked = lstatSync(file).isSymbolicLink();
    } catch {
      // not there at all: a new file
    }
    if (linked) throw new OutputError('is a symbolic link to nothing; nothing was written', file);
    return { target: path.resolve(file), mode: null };
  }
  // Renaming over a device or FIFO would replace it; writing into one is not a report.
  if (!st.isFile()) throw new OutputError(`is ${kindOf(st)}, not a regular file; nothing was written`, file);
  return { target: realpathSync(file), mode: st.mode & 0o7777 };
}

function tempBeside(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(6).toString('hex')}.partial`);
}

/**
 * Writes `data` to `file` whole or not at all: into a new temporary file in
 * the same folder (O_EXCL, so nothing planted there is followed), synced,
 * then renamed over `file`. On any error the temporary file is removed and
 * an OutputError names `file` and says why ("the disk is full").
 */
export async function writeOutputFile(file: string, data: string | Uint8Array): Promise<void> {
  let temp: string | null = null;
  try {
    const { target, mode } = writeTarget(file);
    temp = tempBeside(target);
    const fh = await open(temp, 'wx', 0o666);
    try {
      if (mode !== null) await fh.chmod(mode);
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(temp, target);
    temp = null;
  } catch (err) {
    if (temp) await unlink(temp).catch(() => {});
    throw writeFailed(err, file);
  }
}

/** writeOutputFile for a producer that writes in pieces, synchronously (the generator). */
export function writeOutputFileSync(file: string, produce: (write: (chunk: string | Uint8Array) => void) => void): void {
  let temp: string | null = null;
  try {
    const { target, mode } = writeTarget(file);
    temp = tempBeside(target);
    const fd = openSync(temp, 'wx', 0o666);
    try {
      if (mode !== null) fchmodSync(fd, mode);
      produce((chunk) => {
        const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
        for (let at = 0; at < buf.length;) at += writeSync(fd, buf, at, buf.length - at);
      });
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, target);
    temp = null;
  } catch (err) {
    if (temp) {
      try {
        unlinkSync(temp);
      } catch {
        // already gone
      }
    }
    throw writeFailed(err, file);
  }
}
