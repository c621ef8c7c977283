/**
 * One SQLite file per case. The only module that opens case stores:
 * WAL, foreign keys, synchronous=FULL, STRICT tables, migrations on
 * user_version. The original export is never here; only what was read from
 * it, with its SHA-256 as evidence.
 *
 * Handles come in two types, as in Signal Desktop's sql layer: a
 * `ReadableDB` that only the read methods take, and a `WritableDB` (also
 * readable) that the write methods take, so a reader cannot write by
 * mistake. Every SQL statement of the app lives in this folder.
 */
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { MIGRATIONS, type Migration } from './migrations';
import { ExportCopy } from './export-copy';
import { SentenceError } from '../errors/errors';

declare const readable: unique symbol;
declare const writable: unique symbol;

/** A case store handle for reading. */
export type ReadableDB = Database.Database & { readonly [readable]: true };
/** A case store handle for reading and writing. */
export type WritableDB = ReadableDB & { readonly [writable]: true };

export class CaseStoreError extends SentenceError {}

/**
 * Bring a store up to the latest version. `exportCopy` is the case's copy
 * of its export: a migration that needs an event's line reads it there by
 * byte offset through the SQL function `export_line(offset, length)` (NULL
 * when there is no copy or no offset).
 */
export function migrate(db: Database.Database, migrations: Migration[] = MIGRATIONS, exportCopy?: string): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  const latest = migrations[migrations.length - 1].version;
  if (current > latest) {
    throw new CaseStoreError(`This case was written by a newer version of Audit Replay (store version ${current}, this app knows ${latest}); open it with that version.`);
  }
  const pending = migrations.filter((m) => m.version > current);
  if (!pending.length) return;
  const copy = exportCopy && existsSync(exportCopy) ? new ExportCopy(exportCopy) : null;
  db.function('export_line', { deterministic: true }, (offset: unknown, length: unknown) => (copy && typeof offset === 'number' && typeof length === 'number' ? copy.read(offset, length) : null));
  try {
    db.transaction(() => {
      for (const m of pending) {
        db.exec(m.sql);
        db.pragma(`user_version = ${m.version}`);
      }
    })();
  } finally {
    copy?.close();
  }
}

export interface OpenOptions {
  /** For a store being built by ingest: it is thrown away on a crash, so durability is not needed until it is renamed into place. */
  bulk?: boolean;
  /** The case's export copy, for migrations that read lines from it. */
  exportCopy?: string;
}

/** Open (and migrate) a case store for reading and writing. */
export function openWritable(file: string, options: OpenOptions = {}): WritableDB {
  const db = new Database(file);
  try {
    if (options.bulk) {
      db.pragma('journal_mode = OFF');
      db.pragma('synchronous = OFF');
    } else {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
    }
    db.pragma('foreign_keys = ON');
    migrate(db, MIGRATIONS, options.exportCopy);
  } catch (err) {
    db.close();
    throw err;
  }
  return db as WritableDB;
}

/**
 * Open a case store read-only (no migration: a store from an older version
 * is read as it is, one from a newer version is refused).
 */
export function openReadable(file: string): ReadableDB {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > MIGRATIONS[MIGRATIONS.length - 1].version) {
    db.close();
    throw new CaseStoreError(`This case was written by a newer version of Audit Replay (store version ${version}).`);
  }
  return db as ReadableDB;
}

/** A plain SQLite handle as a readable case store (tests build old stores by hand). */
export function asReadable(db: Database.Database): ReadableDB {
  return db as ReadableDB;
}

/** Does this store have the table (stores from before a migration lack it)? */
export function hasTable(db: ReadableDB, name: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?").get(name) !== undefined;
}
