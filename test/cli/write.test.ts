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
