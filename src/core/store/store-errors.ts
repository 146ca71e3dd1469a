import { PaddockError } from '../../shared/errors.js';

/** The shape of better-sqlite3's SqliteError (a code such as SQLITE_BUSY and a message). */
interface SqliteLikeError {
  code: string;
  message: string;
}

function errorCode(err: unknown): string | undefined {
  const code: unknown = err instanceof Error ? (err as Error & { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

function isSqliteError(err: unknown): err is SqliteLikeError {
  return errorCode(err)?.startsWith('SQLITE_') === true;
}

function isNodeFsError(err: unknown): err is NodeJS.ErrnoException {
  const code = errorCode(err);
  return code !== undefined && !code.startsWith('SQLITE_');
}

/**
 * Turns a raw SQLite or file-system error into a PaddockError E_STORE that names the file and
 * says how to fix it. Users never see a raw SqliteError. Other errors pass through unchanged.
 */
export function toStoreError(err: unknown, file: string, doing: string): unknown {
  if (err instanceof PaddockError) return err;
  if (isSqliteError(err)) {
    const code = err.code;
    if (code.startsWith('SQLITE_READONLY') || code === 'SQLITE_PERM' || code === 'SQLITE_AUTH')
      return new PaddockError(
        'E_STORE',
        `The database ${file} is read-only (${doing}): make the file, its -wal/-shm files and its folder writable by this user, or use another --data-dir.`,
      );
    if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'))
      return new PaddockError(
        'E_STORE',
        `The database ${file} is locked by another process (${doing}): close the other program using it (another Paddock, an sqlite3 shell) and try again.`,
      );
    if (code.startsWith('SQLITE_CANTOPEN'))
      return new PaddockError('E_STORE', `Cannot open the database ${file} (${doing}): check that its folder exists and is writable by this user.`);
    if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT'))
      return new PaddockError(
        'E_STORE',
        `The database ${file} is damaged or not a Paddock database (${doing}): move it aside and restore a backup, or start with an empty --data-dir.`,
      );
    if (code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE')
      return new PaddockError('E_EXISTS', `That entry already exists (${doing}): use another id or name, or update the existing one.`);
    if (code.startsWith('SQLITE_CONSTRAINT'))
      return new PaddockError('E_INVALID_INPUT', `A value was refused by the database (${doing}): ${err.message}.`);
    if (code === 'SQLITE_FULL')
      return new PaddockError('E_STORE', `The disk holding ${file} is full (${doing}): free some space and try again.`);
    if (code.startsWith('SQLITE_IOERR'))
      return new PaddockError('E_STORE', `Input/output error on the database ${file} (${doing}): check the disk and the file's permissions.`);
    return new PaddockError('E_STORE', `Database error on ${file} (${doing}): ${err.message} [${code}].`);
  }
  if (isNodeFsError(err)) {
    if (err.code === 'EACCES' || err.code === 'EPERM' || err.code === 'EROFS')
      return new PaddockError(
        'E_STORE',
        `The database ${file} is not writable (${err.code}) (${doing}): make it and its folder writable by this user, or use another --data-dir.`,
      );
    return new PaddockError('E_STORE', `Cannot use the database ${file} (${doing}): ${err.message}.`);
  }
  return err;
}

/** Runs `fn`, turning database errors into PaddockError E_STORE (see toStoreError). */
export function guard<T>(file: string, doing: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw toStoreError(err, file, doing);
  }
}
