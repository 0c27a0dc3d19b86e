/**
 * Output files: written to a temporary file (mode 0600) in the target directory, then moved into
 * place, so a failed run leaves no partial file and no moment where the content is world-readable.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CliError } from './errors';

export interface WriteOptions {
  /** Replace an existing file. @default false */
  readonly force?: boolean;
}

export function writeFileSafely(target: string, content: string, options: WriteOptions = {}): void {
  const dir = path.dirname(path.resolve(target));
  if (!fs.existsSync(dir)) throw new CliError(`cannot write ${target}: directory ${dir} does not exist`);
  if (!options.force && fs.existsSync(target)) throw new CliError(`${target} exists; pass --force to replace it`);
  const tmp = path.join(dir, `.${path.basename(target)}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`);
  let fd: number | undefined;
  try {
    fd = fs.openSync(tmp, 'wx', 0o600);
    fs.writeSync(fd, content);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    if (options.force) {
      fs.renameSync(tmp, target);
    } else {
      // link() fails if the target appeared meanwhile: never clobber without --force.
      try {
        fs.linkSync(tmp, target);
        fs.unlinkSync(tmp);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EXDEV') throw e;
        if (fs.existsSync(target)) throw Object.assign(new Error('exists'), { code: 'EEXIST' });
        fs.renameSync(tmp, target); // filesystems without hard links
      }
    }
  } catch (e) {
    if (fd !== undefined) fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EEXIST') throw new CliError(`${target} exists; pass --force to replace it`);
    throw new CliError(`cannot write ${target}: ${err.message}`);
  }
}
