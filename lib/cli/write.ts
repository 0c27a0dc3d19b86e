/**
 * Output files: written to a temporary file (mode 0600) in the target directory, then moved into
 * place, so a failed run leaves no partial file and no moment where the content is world-readable.
 *
 * A target must be a regular file or absent. A device (`/dev/null`), a directory, a symlink or a
 * FIFO is refused whatever `--force` says: replacing one would swap the device node for a file (as
 * root), follow a link somewhere else, or fail halfway. Errors name the target, never the
 * temporary file.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CliError } from './errors';

/** The file-system calls the writer makes; tests inject failing ones. */
export interface WriteFs {
  lstatSync(p: string): fs.Stats;
  statSync(p: string): fs.Stats;
  openSync(p: string, flags: string, mode: number): number;
  writeSync(fd: number, data: string): number;
  fsyncSync(fd: number): void;
  closeSync(fd: number): void;
  renameSync(from: string, to: string): void;
  linkSync(existing: string, created: string): void;
  unlinkSync(p: string): void;
  rmSync(p: string, options: { force: boolean }): void;
}

export interface WriteOptions {
  /** Replace an existing regular file. @default false */
  readonly force?: boolean;
  /** @default node:fs */
  readonly fs?: WriteFs;
}

function kindOf(stat: fs.Stats): string {
  if (stat.isSymbolicLink()) return 'a symbolic link';
  if (stat.isDirectory()) return 'a directory';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  if (stat.isFIFO()) return 'a named pipe';
  if (stat.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** Why `err` happened, without the paths Node puts in its message (they would name the temporary file). */
function reason(err: NodeJS.ErrnoException): string {
  const known: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    ENOSPC: 'no space left on the device',
    EDQUOT: 'disk quota exceeded',
    EROFS: 'read-only file system',
    EIO: 'input/output error',
    ENOENT: 'the directory disappeared',
  };
  if (err.code && known[err.code]) return `${known[err.code]} (${err.code})`;
  return err.code ?? 'unknown error';
}

function lstatOrUndefined(io: WriteFs, p: string): fs.Stats | undefined {
  try {
    return io.lstatSync(p);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CliError(`cannot write ${p}: ${reason(e as NodeJS.ErrnoException)}`);
  }
}

/** Refuses a target that exists and is not a regular file (whatever `force` says). */
function checkTarget(io: WriteFs, target: string, force: boolean): void {
  const stat = lstatOrUndefined(io, target);
  if (!stat) return;
  if (!stat.isFile()) throw new CliError(`refusing to write ${target}: it is ${kindOf(stat)}; give the path of a regular file (new or existing)`);
  if (!force) throw new CliError(`${target} exists; pass --force to replace it`);
}

export function writeFileSafely(target: string, content: string, options: WriteOptions = {}): void {
  const io = options.fs ?? fs;
  const force = options.force === true;
  const dir = path.dirname(path.resolve(target));
  const dirStat = (() => {
    try {
      return io.statSync(dir);
    } catch {
      return undefined;
    }
  })();
  if (!dirStat) throw new CliError(`cannot write ${target}: directory ${dir} does not exist`);
  if (!dirStat.isDirectory()) throw new CliError(`cannot write ${target}: ${dir} is not a directory`);
  checkTarget(io, target, force);
  const tmp = path.join(dir, `.${path.basename(target)}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`);
  let fd: number | undefined;
  try {
    fd = io.openSync(tmp, 'wx', 0o600);
    io.writeSync(fd, content);
    io.fsyncSync(fd);
    io.closeSync(fd);
    fd = undefined;
    // The target may have changed since the check (another process): check again right before the move.
    checkTarget(io, target, force);
    if (force) {
      io.renameSync(tmp, target);
    } else {
      // link() fails if the target appeared meanwhile: never clobber without --force.
      try {
        io.linkSync(tmp, target);
        io.unlinkSync(tmp);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EXDEV') throw e;
        if (lstatOrUndefined(io, target)) throw Object.assign(new Error('exists'), { code: 'EEXIST' });
        io.renameSync(tmp, target); // filesystems without hard links
      }
    }
  } catch (e) {
    if (fd !== undefined) {
      try {
        io.closeSync(fd);
      } catch {
        /* already failing; the temporary file is removed below */
      }
    }
    try {
      io.rmSync(tmp, { force: true });
    } catch {
      /* nothing more to do */
    }
    if (e instanceof CliError) throw e;
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EEXIST') throw new CliError(`${target} exists; pass --force to replace it`);
    throw new CliError(`cannot write ${target}: ${reason(err)}; nothing was written`);
  }
}
