import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CliError } from '../../lib/cli/errors';
import { WriteFs, writeFileSafely } from '../../lib/cli/write';
import { cli, fakeResolvers, fixture } from './helpers';

let tmp: string;
beforeEach(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xcomkit-write-'))));
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

const entries = () => fs.readdirSync(tmp).sort();
const message = (f: () => void) => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(CliError);
    return (e as Error).message;
  }
  throw new Error('expected a CliError');
};

describe('writeFileSafely', () => {
  test('writes a new file with mode 0600 and leaves nothing else', () => {
    const target = path.join(tmp, 'out.env');
    writeFileSafely(target, 'A=1\n');
    expect(fs.readFileSync(target, 'utf8')).toBe('A=1\n');
    expect(fs.statSync(target).mode & 0o777).toBe(0o600);
    expect(entries()).toEqual(['out.env']);
  });

  test('refuses an existing file without force, keeps its content, and replaces it with force', () => {
    const target = path.join(tmp, 'out.env');
    fs.writeFileSync(target, 'old');
    expect(message(() => writeFileSafely(target, 'new'))).toBe(`${target} exists; pass --force to replace it`);
    expect(fs.readFileSync(target, 'utf8')).toBe('old');
    writeFileSafely(target, 'new', { force: true });
    expect(fs.readFileSync(target, 'utf8')).toBe('new');
    expect(entries()).toEqual(['out.env']);
  });

  test.each([false, true])('refuses a directory (force: %s)', (force) => {
    const target = path.join(tmp, 'dir');
    fs.mkdirSync(target);
    expect(message(() => writeFileSafely(target, 'x', { force }))).toBe(`refusing to write ${target}: it is a directory; give the path of a regular file (new or existing)`);
    expect(fs.statSync(target).isDirectory()).toBe(true);
    expect(entries()).toEqual(['dir']);
  });

  test.each([false, true])('refuses a symbolic link, and leaves what it points to alone (force: %s)', (force) => {
    const real = path.join(tmp, 'real');
    fs.writeFileSync(real, 'keep');
    const link = path.join(tmp, 'link');
    fs.symlinkSync(real, link);
    expect(message(() => writeFileSafely(link, 'x', { force }))).toMatch(/it is a symbolic link/);
    expect(fs.readFileSync(real, 'utf8')).toBe('keep');
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(entries()).toEqual(['link', 'real']);
  });

  // Never the real /dev/null: a broken writer (or a mutant of it, under mutation testing) would
  // replace the machine's device node. A FIFO in the temporary directory is a special file that is
  // harmless to clobber, and a device is simulated through the injected file system.
  test.each([false, true])('refuses a named pipe (force: %s)', (force) => {
    const fifo = path.join(tmp, 'pipe');
    execFileSync('mkfifo', [fifo]);
    expect(message(() => writeFileSafely(fifo, 'x', { force }))).toBe(`refusing to write ${fifo}: it is a named pipe; give the path of a regular file (new or existing)`);
    expect(fs.lstatSync(fifo).isFIFO()).toBe(true);
    expect(entries()).toEqual(['pipe']);
  });

  test.each([false, true])('refuses a device (force: %s)', (force) => {
    const device = path.join(tmp, 'null');
    const real = fs.lstatSync(tmp);
    const io = { ...fs } as unknown as WriteFs;
    io.lstatSync = ((p: string) => (p === device ? Object.assign(Object.create(real), { isFile: () => false, isSymbolicLink: () => false, isDirectory: () => false, isCharacterDevice: () => true }) : fs.lstatSync(p))) as WriteFs['lstatSync'];
    let renamed = false;
    io.renameSync = (() => (renamed = true)) as WriteFs['renameSync'];
    expect(message(() => writeFileSafely(device, 'x', { force, fs: io }))).toBe(`refusing to write ${device}: it is a device; give the path of a regular file (new or existing)`);
    expect(renamed).toBe(false);
    expect(entries()).toEqual([]);
  });

  test('refuses a missing directory', () => {
    expect(message(() => writeFileSafely(path.join(tmp, 'nope', 'x'), 'x'))).toMatch(/directory .*nope does not exist/);
  });

  /** Real fs calls, with one failing. */
  const failing = (call: keyof WriteFs, code = 'ENOSPC'): WriteFs => {
    const io = { ...fs } as unknown as WriteFs;
    (io as any)[call] = () => {
      throw Object.assign(new Error(`${code}: failure, ${call} '${path.join(tmp, '.out.env.123.abcd.tmp')}'`), { code });
    };
    return io;
  };

  test.each([['writeSync'], ['fsyncSync'], ['renameSync'], ['linkSync']] as const)('a failing %s leaves neither the target nor a temporary file, and the error names only the target', (call) => {
    const target = path.join(tmp, 'out.env');
    const text = message(() => writeFileSafely(target, 'A=1\n', { fs: failing(call), force: call === 'renameSync' }));
    expect(text).toBe(`cannot write ${target}: no space left on the device (ENOSPC); nothing was written`);
    expect(text).not.toMatch(/\.tmp/);
    expect(entries()).toEqual([]);
  });

  test('a failure replacing an existing file keeps the old content', () => {
    const target = path.join(tmp, 'out.env');
    fs.writeFileSync(target, 'old');
    expect(message(() => writeFileSafely(target, 'new', { fs: failing('renameSync', 'EACCES'), force: true }))).toMatch(/permission denied \(EACCES\)/);
    expect(fs.readFileSync(target, 'utf8')).toBe('old');
    expect(entries()).toEqual(['out.env']);
  });

  test('a file that appears between the check and the move is not clobbered without force', () => {
    const target = path.join(tmp, 'out.env');
    const io = { ...fs } as unknown as WriteFs;
    const realOpen = fs.openSync;
    io.openSync = ((p: string, flags: string, mode: number) => {
      fs.writeFileSync(target, 'theirs');
      return realOpen(p, flags, mode);
    }) as WriteFs['openSync'];
    expect(message(() => writeFileSafely(target, 'mine', { fs: io }))).toBe(`${target} exists; pass --force to replace it`);
    expect(fs.readFileSync(target, 'utf8')).toBe('theirs');
    expect(entries()).toEqual(['out.env']);
  });
});

describe('xcomkit output targets', () => {
  test('-o <named pipe> --force is refused and the pipe stays a pipe', async () => {
    const fifo = path.join(tmp, 'pipe');
    execFileSync('mkfifo', [fifo]);
    const r = await cli(['env', fixture('aws-role'), '-o', fifo, '--force']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/refusing to write .*pipe: it is a named pipe/);
    expect(fs.lstatSync(fifo).isFIFO()).toBe(true);
  });

  test('-o <directory> is refused as a directory, not as "exists"', async () => {
    const r = await cli(['env', fixture('aws-role'), '-o', tmp, '--force']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/it is a directory/);
    expect(r.stderr).not.toMatch(/EISDIR|pass --force/);
  });

  test('--secret-output does not overwrite an existing file without --force', async () => {
    const secretFile = path.join(tmp, 'secret.yaml');
    fs.writeFileSync(secretFile, 'old');
    const r = await cli(['env', fixture('aws-user'), '--format', 'helm', '--resolve-secrets', '--secret-output', secretFile], { resolverFactory: fakeResolvers() });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/secret\.yaml exists; pass --force/);
    expect(fs.readFileSync(secretFile, 'utf8')).toBe('old');
    const forced = await cli(['env', fixture('aws-user'), '--format', 'helm', '--resolve-secrets', '--secret-output', secretFile, '--force'], { resolverFactory: fakeResolvers() });
    expect(forced.code).toBe(0);
    expect(fs.readFileSync(secretFile, 'utf8')).toMatch(/kind: Secret/);
  });

  test('--secret-output with nothing to resolve says that no file was written', async () => {
    const secretFile = path.join(tmp, 'secret.yaml');
    const r = await cli(['env', fixture('aws-role'), '--format', 'helm', '--resolve-secrets', '--secret-output', secretFile]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/--secret-output .*secret\.yaml: no credentials to put in a Secret, so no file was written/);
    expect(fs.existsSync(secretFile)).toBe(false);
  });
});

describe('writeFileSafely: every failure is named, and leaves nothing behind', () => {
  const realFs = (): WriteFs => ({ ...fs }) as unknown as WriteFs;
  const failWith = (code: string | undefined) => () => {
    throw Object.assign(new Error(`${code}: failure, open '${path.join(tmp, '.x.tmp')}'`), code === undefined ? {} : { code });
  };

  test.each([
    ['EACCES', 'permission denied (EACCES)'],
    ['EPERM', 'operation not permitted (EPERM)'],
    ['ENOSPC', 'no space left on the device (ENOSPC)'],
    ['EDQUOT', 'disk quota exceeded (EDQUOT)'],
    ['EROFS', 'read-only file system (EROFS)'],
    ['EIO', 'input/output error (EIO)'],
    ['ENOENT', 'the directory disappeared (ENOENT)'],
    ['EMFILE', 'EMFILE'],
    [undefined, 'unknown error'],
  ])('opening the temporary file fails with %s: "%s", and no path but the target', (code, words) => {
    const target = path.join(tmp, 'out.env');
    const io = realFs();
    io.openSync = failWith(code) as WriteFs['openSync'];
    expect(message(() => writeFileSafely(target, 'A=1\n', { fs: io }))).toBe(`cannot write ${target}: ${words}; nothing was written`);
    expect(entries()).toEqual([]);
  });

  test('a target that cannot be examined is named with the reason', () => {
    const target = path.join(tmp, 'out.env');
    const io = realFs();
    io.lstatSync = failWith('EACCES') as WriteFs['lstatSync'];
    expect(message(() => writeFileSafely(target, 'x', { fs: io }))).toBe(`cannot write ${target}: permission denied (EACCES)`);
    expect(entries()).toEqual([]);
  });

  test('a parent that is a file is refused before anything is written', () => {
    fs.writeFileSync(path.join(tmp, 'file'), 'keep');
    const target = path.join(tmp, 'file', 'out.env');
    expect(message(() => writeFileSafely(target, 'x'))).toBe(`cannot write ${target}: ${path.join(tmp, 'file')} is not a directory`);
    expect(message(() => writeFileSafely(path.join(tmp, 'nope', 'x'), 'x'))).toBe(`cannot write ${path.join(tmp, 'nope', 'x')}: directory ${path.join(tmp, 'nope')} does not exist`);
    expect(fs.readFileSync(path.join(tmp, 'file'), 'utf8')).toBe('keep');
  });

  test.each([
    ['a socket', { isSocket: () => true }],
    ['a device', { isBlockDevice: () => true }],
    ['not a regular file', {}],
  ])('an existing target that is %s is refused whatever force says', (kind, flags) => {
    const target = path.join(tmp, 'special');
    const io = realFs();
    const none = { isFile: () => false, isSymbolicLink: () => false, isDirectory: () => false, isCharacterDevice: () => false, isBlockDevice: () => false, isFIFO: () => false, isSocket: () => false };
    io.lstatSync = ((p: string) => (p === target ? { ...none, ...flags } : fs.lstatSync(p))) as unknown as WriteFs['lstatSync'];
    for (const force of [false, true]) {
      expect(message(() => writeFileSafely(target, 'x', { fs: io, force }))).toBe(`refusing to write ${target}: it is ${kind}; give the path of a regular file (new or existing)`);
    }
    expect(entries()).toEqual([]);
  });

  test('the temporary file is opened exclusively, mode 0600, in the target directory, and closed when the write fails', () => {
    const target = path.join(tmp, 'out.env');
    const io = realFs();
    const opened: Array<[string, string, number, number]> = [];
    const closed: number[] = [];
    io.openSync = ((p: string, flags: string, mode: number) => {
      const fd = fs.openSync(p, flags, mode);
      opened.push([p, flags, mode, fd]);
      return fd;
    }) as WriteFs['openSync'];
    io.closeSync = ((fd: number) => (closed.push(fd), fs.closeSync(fd))) as WriteFs['closeSync'];
    io.writeSync = failWith('EIO') as WriteFs['writeSync'];
    expect(message(() => writeFileSafely(target, 'x', { fs: io }))).toMatch(/input\/output error \(EIO\); nothing was written$/);
    expect(opened).toHaveLength(1);
    const [p, flags, mode, fd] = opened[0];
    expect(path.dirname(p)).toBe(tmp);
    expect(path.basename(p)).toMatch(/^\.out\.env\.\d+\.[0-9a-f]{8}\.tmp$/);
    expect([flags, mode]).toEqual(['wx', 0o600]);
    expect(closed).toEqual([fd]);
    expect(entries()).toEqual([]);
  });

  test('a failing close after a failed write still removes the temporary file and reports the write', () => {
    const target = path.join(tmp, 'out.env');
    const io = realFs();
    io.writeSync = failWith('ENOSPC') as WriteFs['writeSync'];
    const realClose = fs.closeSync;
    io.closeSync = ((fd: number) => {
      realClose(fd);
      throw Object.assign(new Error('EBADF'), { code: 'EBADF' });
    }) as WriteFs['closeSync'];
    expect(message(() => writeFileSafely(target, 'x', { fs: io }))).toBe(`cannot write ${target}: no space left on the device (ENOSPC); nothing was written`);
    expect(entries()).toEqual([]);
  });

  test('a failing removal of the temporary file does not hide the original error', () => {
    const target = path.join(tmp, 'out.env');
    const io = realFs();
    io.writeSync = failWith('ENOSPC') as WriteFs['writeSync'];
    io.rmSync = failWith('EBUSY') as WriteFs['rmSync'];
    expect(message(() => writeFileSafely(target, 'x', { fs: io }))).toMatch(/no space left on the device \(ENOSPC\); nothing was written$/);
  });

  test.each(['EPERM', 'ENOTSUP', 'EXDEV'])('a file system without hard links (%s) gets the file by rename, and still no clobbering', (code) => {
    const target = path.join(tmp, 'out.env');
    const io = realFs();
    io.linkSync = failWith(code) as WriteFs['linkSync'];
    writeFileSafely(target, 'A=1\n', { fs: io });
    expect(fs.readFileSync(target, 'utf8')).toBe('A=1\n');
    expect(entries()).toEqual(['out.env']);

    // The target appears between the last check and the link: refused, theirs kept, nothing left over.
    fs.rmSync(target);
    const racing = realFs();
    racing.linkSync = ((_from: string, to: string) => {
      fs.writeFileSync(to, 'theirs');
      failWith(code)();
    }) as WriteFs['linkSync'];
    expect(message(() => writeFileSafely(target, 'mine', { fs: racing }))).toBe(`${target} exists; pass --force to replace it`);
    expect(fs.readFileSync(target, 'utf8')).toBe('theirs');
    expect(entries()).toEqual(['out.env']);
  });

  test('any other link failure is reported, not retried by rename', () => {
    const target = path.join(tmp, 'out.env');
    const io = realFs();
    io.linkSync = failWith('EMLINK') as WriteFs['linkSync'];
    let renamed = false;
    io.renameSync = (() => (renamed = true)) as WriteFs['renameSync'];
    expect(message(() => writeFileSafely(target, 'x', { fs: io }))).toBe(`cannot write ${target}: EMLINK; nothing was written`);
    expect(renamed).toBe(false);
    expect(entries()).toEqual([]);
  });

  test('with force, a target that became a directory meanwhile is refused before the move', () => {
    const target = path.join(tmp, 'out.env');
    const io = realFs();
    io.fsyncSync = ((fd: number) => (fs.fsyncSync(fd), fs.mkdirSync(target))) as WriteFs['fsyncSync'];
    expect(message(() => writeFileSafely(target, 'x', { fs: io, force: true }))).toMatch(/it is a directory/);
    expect(fs.statSync(target).isDirectory()).toBe(true);
    expect(entries()).toEqual(['out.env']);
  });
});
